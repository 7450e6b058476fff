"""Every SQL statement in Sanad takes its values as bound parameters.

A static audit of the packages: SQL text built at run time (f-strings, ``.format``, ``%`` or ``+``)
may interpolate only constants (upper-case module names, literals, ``int(...)``); the few reviewed
exceptions are listed with the reason they are safe. A new one fails this test until reviewed.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("evidence_store", "verify", "flows", "deployments")
SQL_METHODS = {"execute", "executemany", "sql", "query"}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|PRAGMA)\b")
CONSTANT_NAME = re.compile(r"_?[A-Z][A-Z0-9_]*")

# (file, function, interpolated expression): why it cannot carry a user's value
REVIEWED = {
    ("evidence_store/db.py", "index_inputs", "columns"): "one of two fixed column lists, chosen by a bool",
    ("evidence_store/db.py", "_insert", "table"): "'documents' or 'passages', named by the two callers",
    ("evidence_store/db.py", "_insert", "columns"): "the column names of an Arrow batch built in db.py",
    ("evidence_store/db.py", "_lookup", "select"): "a fixed SELECT of db.py, given by its two callers",
    ("evidence_store/db.py", "_lookup", "', '.join(['?'] * len(chunk))"): "a list of '?' placeholders",
    (
        "verify/reports/store.py",
        "<module>",
        "', '.join(['?'] * (len(rows.EVIDENCE_COLUMNS) + 2))",
    ): "a row of '?' placeholders",
}


def _pieces(node: ast.AST) -> tuple[list[str], list[ast.expr]] | None:
    """(literal text, interpolated expressions) of a string built at run time; None if ``node`` is not one."""
    if isinstance(node, ast.JoinedStr):
        literal = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return literal, [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        receiver = node.func.value
        literal = [receiver.value] if isinstance(receiver, ast.Constant) else []
        return literal, [*node.args, *(keyword.value for keyword in node.keywords)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        parts = _operands(node)
        literal = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
        return literal, [p for p in parts if not isinstance(p, ast.Constant)]
    return None


def _operands(node: ast.expr) -> list[ast.expr]:
    """The operands of a chain of ``+``/``%`` (``a + b + c`` is ``(a + b) + c``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return [*_operands(node.left), *_operands(node.right)]
    return [node]


def _safe(expression: ast.expr) -> bool:
    if isinstance(expression, ast.Constant):
        return True
    if isinstance(expression, ast.Name) and CONSTANT_NAME.fullmatch(expression.id):
        return True
    return isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name) and expression.func.id == "int"


def dynamic_sql(source: str, filename: str) -> list[tuple[str, str, str]]:
    """(file, function, expression) of every value interpolated into SQL text in ``source``, unless a constant."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            scope = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            candidates: list[ast.AST] = []
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in SQL_METHODS
                and child.args
            ):
                candidates.append(child.args[0])
            if isinstance(child, ast.Assign | ast.AnnAssign) and child.value is not None:
                candidates.append(child.value)
            if isinstance(child, ast.Tuple | ast.List):  # statements listed in a constant, e.g. migrations
                candidates.extend(child.elts)
            for candidate in candidates:
                pieces = _pieces(candidate)
                if pieces is None:
                    continue
                literal, expressions = pieces
                is_sql = any(SQL_WORDS.search(text) for text in literal if isinstance(text, str))
                if is_sql or candidate in getattr(child, "args", [])[:1]:
                    found.extend((filename, scope, ast.unparse(e)) for e in expressions if not _safe(e))
            visit(child, scope)

    visit(ast.parse(source), "<module>")
    return found


def test_no_sql_statement_interpolates_a_value():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found += dynamic_sql(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    unreviewed = sorted(set(found) - set(REVIEWED))
    assert not unreviewed, "SQL built from values (bind them as ? or $name parameters instead):\n" + "\n".join(
        f"  {file} in {function}: {{{expression}}}" for file, function, expression in unreviewed
    )


def test_the_audit_catches_interpolated_values():
    source = """
TABLE = "documents"

def remove(con, doc_id, where):
    con.execute(f"DELETE FROM {TABLE} WHERE doc_id = '{doc_id}'")
    con.execute("SELECT * FROM documents WHERE {}".format(where))
    con.sql("SELECT * FROM documents WHERE doc_id = '" + doc_id + "'")
    con.execute("SELECT * FROM documents WHERE doc_id = '%s'" % doc_id)
    query = f"UPDATE documents SET title = '{where}'"
    con.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
"""
    assert dynamic_sql(source, "example.py") == [
        ("example.py", "remove", "doc_id"),
        ("example.py", "remove", "where"),
        ("example.py", "remove", "doc_id"),
        ("example.py", "remove", "doc_id"),
        ("example.py", "remove", "where"),
    ]
