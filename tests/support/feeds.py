"""An RSS feed and the articles it links to, served by ``Handler`` (the ``feed_server`` fixture serves it);
``Handler.extra`` adds items to the feed."""

from tests.support.local_http import QuietHandler
from tests.support.pages import ARTICLE_HTML

LONG_CONTENT = " ".join(["The Libyan eastern government reopened its embassy in Damascus in March 2020."] * 12)


def rss(port: int, extra: str = "") -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk Wire</title>
<item><guid>item-1</guid><title>Embassy reopens</title><link>http://127.0.0.1:{port}/item-1</link>
<pubDate>Tue, 03 Mar 2020 10:00:00 GMT</pubDate><description>{LONG_CONTENT}</description></item>
<item><guid>item-2</guid><title>Flights</title><link>http://127.0.0.1:{port}/article</link>
<description>short teaser</description></item>
<item><guid>item-3</guid><title>Gone</title><link>http://127.0.0.1:{port}/gone</link>
<description>teaser</description></item>{extra}
</channel></rss>"""


class Handler(QuietHandler):
    extra = ""

    def do_GET(self):
        port = self.server.server_address[1]
        routes = {
            "/feed.xml": ("application/rss+xml", rss(port, Handler.extra)),
            "/article": ("text/html", ARTICLE_HTML),
            "/new": ("text/html", ARTICLE_HTML.replace("Cham Wings", "Afriqiyah Airways")),
        }
        if self.path not in routes:
            self.send_response(404)
            self.end_headers()
            return
        content_type, body = routes[self.path]
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
