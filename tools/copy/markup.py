"""The listing's HTML description: selling points, the description's paragraphs and the
attribute table, sanitised. No links, images, styles or scripts survive: copy that came
near supplier text never carries markup a buyer's browser would act on."""

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4",
                "table", "thead", "tbody", "tr", "th", "td"}
HEADINGS = {"en": ("Highlights", "Details"), "zh-CN": ("产品亮点", "规格参数")}


def sanitise(markup: str) -> str:
    """Keep formatting tags only; everything else (and every attribute) is dropped."""
    return nh3.clean(markup or "", tags=ALLOWED_TAGS, attributes={}, strip_comments=True)


def paragraphs(text: str) -> str:
    """Model text as HTML: kept as markup when it is HTML, else one <p> per paragraph."""
    if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", text):
        return sanitise(text)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def description_html(points: list[str], description: str, table: list[list[str]], language: str) -> str:
    """The full description as buyers see it, sanitised."""
    highlights, details = HEADINGS.get(language, HEADINGS["en"])
    parts = []
    if points:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
        parts.append(f"<h3>{highlights}</h3><ul>{items}</ul>")
    parts.append(paragraphs(description))
    if table:
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in table)
        parts.append(f"<h3>{details}</h3><table><tbody>{rows}</tbody></table>")
    return sanitise("".join(parts))
