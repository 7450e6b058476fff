"""A news article page as served on the web, for the extraction, fetch and feed tests."""

ARTICLE_HTML = """<html><head><title>Cham Wings flights resume</title>
<meta property="og:site_name" content="Example News"><meta name="date" content="2020-03-02"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Cham Wings flights resume</h1>
<p>Flights operated by the Syrian carrier Cham Wings between Damascus and Benghazi continued in early 2020,
according to flight tracking data reviewed by several outlets.</p>
<p>The airline has been under United States sanctions since December 2016 for supporting the Syrian government.</p>
</article><footer>Copyright Example News</footer></body></html>"""
