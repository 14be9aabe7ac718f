"""Adding a web page by its address: fetched politely, saved as a browser's
"Save as" would, then added like any saved page.

The page is asked for with a user agent that names this program and a
timeout, only when the site's robots.txt lets that agent fetch it
(urllib.robotparser), only over http(s), and only if it is HTML no bigger
than one file may be. The saved file starts with the line browsers write on
a saved page, <!-- saved from url=(0043)https://… -->, which the web-page
loader reads as the article's URL when the page names none. A page that
cannot be fetched is a FetchError whose reason says why, in English and in
Chinese (the chat's language).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from hashlib import sha1
from pathlib import Path
from urllib.parse import urljoin, urlsplit

USER_AGENT = "rag-news/1.0 (adds news articles to a personal archive)"
TIMEOUT = 20.0  # seconds for each request (robots.txt, then the page)
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(ValueError):
    """A page that was not fetched: `reason` in English, `reason_zh` in Chinese."""

    def __init__(self, url: str, reason: str, reason_zh: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.reason_zh = url, reason, reason_zh


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    data: bytes


def is_url(value) -> bool:
    return isinstance(value, str) and bool(re.match(r"^https?://", value.strip(), re.I))


def fetch_page(url: str, *, timeout: float = TIMEOUT, max_bytes: int = 50 * 2**20,
               user_agent: str = USER_AGENT) -> Fetched:
    """The HTML at `url`; a FetchError saying why when it cannot be had."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "not a web address (http:// or https://)",
                         "不是网页地址（应以 http:// 或 https:// 开头）")
    if not allowed_by_robots(url, user_agent=user_agent, timeout=timeout):
        raise FetchError(url, "the site's robots.txt does not allow fetching this page",
                         "该网站的 robots.txt 不允许抓取这个网页")
    request = urllib.request.Request(url, headers={"User-Agent": user_agent,
                                                   "Accept": "text/html,application/xhtml+xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = (response.headers.get_content_type() or "").lower()
            if kind not in HTML_TYPES:
                raise FetchError(url, f"not a web page (the server sent {kind})",
                                 f"不是网页（服务器返回的是 {kind}）")
            data = response.read(max_bytes + 1)
            final = response.geturl()
    except urllib.error.HTTPError as err:
        raise FetchError(url, f"the server answered {err.code} {err.reason}",
                         f"服务器返回 {err.code}（{_http_zh(err.code)}）") from None
    except TimeoutError:
        raise FetchError(url, f"no answer within {timeout:g} seconds",
                         f"{timeout:g} 秒内没有响应") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(url, f"no answer within {timeout:g} seconds",
                             f"{timeout:g} 秒内没有响应") from None
        raise FetchError(url, f"cannot connect ({reason})",
                         f"无法连接（{reason}）") from None
    except OSError as err:
        raise FetchError(url, f"cannot connect ({err})", f"无法连接（{err}）") from None
    if len(data) > max_bytes:
        raise FetchError(url, f"the page is over the {max_bytes // 2**20} MB limit",
                         f"网页超过 {max_bytes // 2**20} MB 的上限")
    if not data.strip():
        raise FetchError(url, "the server sent an empty page", "服务器返回的网页是空的")
    return Fetched(url, final, data)


def allowed_by_robots(url: str, *, user_agent: str = USER_AGENT,
                      timeout: float = TIMEOUT) -> bool:
    """Whether the site's robots.txt lets `user_agent` fetch `url`. As
    robotparser reads it: no robots.txt (404) allows everything, a refused
    one (401, 403) nothing. It is fetched here, not by RobotFileParser.read,
    which has no timeout and sends no user agent."""
    robots = urljoin(url, "/robots.txt")
    parser = urllib.robotparser.RobotFileParser(robots)
    request = urllib.request.Request(robots, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(512 * 1024).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as err:
        return err.code not in (401, 403)
    except (urllib.error.URLError, OSError):
        return True  # the page request itself will say why the site cannot be reached
    parser.parse(text.splitlines())
    return parser.can_fetch(user_agent, url)


def save_page(page: Fetched, folder: Path) -> Path:
    """The page as a .html file in `folder`, named after its address, with
    the address in the browsers' saved-from line."""
    address = page.final_url or page.url
    parts = urlsplit(address)
    stem = Path(parts.path.rstrip("/")).stem or "index"
    name = re.sub(r"[^\w.-]+", "-", f"{parts.hostname}-{stem}").strip("-.")[:80]
    name = f"{name}-{sha1(address.encode()).hexdigest()[:6]}.html"
    url = address.encode("utf-8", errors="replace").replace(b" ", b"%20")
    header = b"<!-- saved from url=(%04d)%s -->\n" % (len(url), url)
    path = folder / name
    path.write_bytes(header + page.data)
    return path


def fetch_pages(urls, folder: Path, **options) -> tuple[dict[Path, str], list[FetchError]]:
    """Fetch each of `urls` into `folder`: the saved files (file -> address)
    and the pages that could not be fetched."""
    saved: dict[Path, str] = {}
    failed: list[FetchError] = []
    for url in urls:
        try:
            saved[save_page(fetch_page(url, **options), folder)] = url
        except FetchError as err:
            failed.append(err)
    return saved, failed


def _http_zh(code: int) -> str:
    return {401: "需要登录", 403: "拒绝访问", 404: "网页不存在", 410: "网页已删除",
            429: "请求过多，请稍后再试"}.get(code, "服务器出错" if code >= 500 else "请求失败")
