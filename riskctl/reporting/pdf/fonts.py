"""Finding and registering a Chinese (CJK) font for the PDF layout.

A report must print the same on every machine it is opened on, so the font is
a TrueType file whose glyphs are embedded (as a subset) in the PDF. Only when
no such file exists do we fall back to reportlab's built-in CID font
``STSong-Light``, which is *not* embedded: the reader's viewer supplies the
glyphs, and the look then depends on that viewer.

reportlab's ``TTFont`` reads TrueType outlines only. The OpenType/CFF builds of
Noto Sans CJK and Source Han Sans that most distributions ship are therefore
tried and skipped (logged at debug level); WenQuanYi and the Windows fonts are
TrueType and work.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"
INSTALL_HINT = (
    "请安装可嵌入的中文 TrueType 字体，例如文泉驿微米黑："
    "sudo apt-get install fonts-wqy-microhei（Debian/Ubuntu），"
    "sudo dnf install wqy-microhei-fonts（Fedora/RHEL）；"
    "或将 RISKCTL_PDF_FONT 设为一个 .ttf/.ttc 字体文件的路径"
)


@dataclass(frozen=True)
class FontFile:
    """A font file to try; ``subfont`` picks the face inside a ``.ttc`` collection."""

    path: str
    subfont: int = 0
    bold_path: str | None = None
    bold_subfont: int = 0


@dataclass(frozen=True)
class FontChoice:
    """The registered font names to use in styles and drawings.

    ``bold`` is a real bold face when ``has_bold`` is true; otherwise it is the
    regular face again, and callers set headings apart by size, never by a
    faked (stroked or doubled) bold.
    """

    regular: str
    bold: str
    has_bold: bool
    embedded: bool
    path: str | None


_LINUX = "/usr/share/fonts"
_WINDOWS = "C:\\Windows\\Fonts"

SYSTEM_FONTS: tuple[FontFile, ...] = (
    FontFile(f"{_LINUX}/truetype/wqy/wqy-microhei.ttc"),
    FontFile(f"{_LINUX}/wqy-microhei/wqy-microhei.ttc"),
    FontFile(f"{_LINUX}/wenquanyi/wqy-microhei/wqy-microhei.ttc"),
    FontFile(f"{_LINUX}/truetype/wqy/wqy-zenhei.ttc"),
    FontFile(f"{_LINUX}/wqy-zenhei/wqy-zenhei.ttc"),
    FontFile(f"{_LINUX}/wenquanyi/wqy-zenhei/wqy-zenhei.ttc"),
    FontFile(
        f"{_LINUX}/opentype/noto/NotoSansCJK-Regular.ttc",
        bold_path=f"{_LINUX}/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    FontFile(
        f"{_LINUX}/google-noto-cjk/NotoSansCJK-Regular.ttc",
        bold_path=f"{_LINUX}/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    FontFile(
        f"{_LINUX}/noto-cjk/NotoSansCJK-Regular.ttc",
        bold_path=f"{_LINUX}/noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    FontFile(
        f"{_LINUX}/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
        bold_path=f"{_LINUX}/adobe-source-han-sans/SourceHanSansCN-Bold.otf",
    ),
    FontFile(f"{_WINDOWS}\\msyh.ttc", bold_path=f"{_WINDOWS}\\msyhbd.ttc"),
    FontFile(f"{_WINDOWS}\\simsun.ttc"),
    FontFile(f"{_WINDOWS}\\simhei.ttf"),
)

# Bold companions of fonts that may be configured by path alone.
_BOLD_SIBLINGS = {"msyh.ttc": "msyhbd.ttc", "msyh.ttf": "msyhbd.ttf"}

_lock = threading.Lock()
_registered: dict[tuple[str, int], str | None] = {}  # None: tried and unusable


def register_cjk_font(path: str | None = None) -> FontChoice:
    """Register a CJK font with reportlab and return the names to use.

    ``path`` (the configured ``PDF_FONT_PATH``) is tried first, then
    ``SYSTEM_FONTS`` in order. The first TrueType file reportlab can load is
    registered as an embedded font; a ``.ttc`` collection uses its first face.
    A real bold face is registered when one is known for that font (e.g.
    ``msyhbd.ttc`` next to ``msyh.ttc``); without one, ``FontChoice.bold`` is
    the regular face and headings stand out by size, never by a faked bold.
    If nothing loads, the built-in CID font ``STSong-Light`` is used and a
    warning is logged.

    Registration is cached per file, so calling this for every report costs a
    few ``stat`` calls after the first time.
    """
    candidates = list(SYSTEM_FONTS)
    if path:
        candidates.insert(0, FontFile(path, bold_path=_bold_sibling(path)))
    with _lock:
        for candidate in candidates:
            choice = _try_register(candidate, configured=candidate.path == path)
            if choice is not None:
                return choice
        return _register_cid_fallback(path)


def _bold_sibling(path: str) -> str | None:
    name = _basename(path)
    sibling = _BOLD_SIBLINGS.get(name.lower())
    if sibling is None and "Regular" in name:
        sibling = name.replace("Regular", "Bold")
    if sibling is None:
        return None
    return path[: len(path) - len(name)] + sibling


def _basename(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else Path(path).name


def _try_register(candidate: FontFile, *, configured: bool) -> FontChoice | None:
    if not Path(candidate.path).is_file():
        if configured:
            log.warning("配置的 PDF 字体文件不存在：%s", candidate.path)
        return None
    regular = _load_ttf(candidate.path, candidate.subfont, configured=configured)
    if regular is None:
        return None
    bold = None
    if candidate.bold_path and Path(candidate.bold_path).is_file():
        bold = _load_ttf(candidate.bold_path, candidate.bold_subfont, configured=False)
    pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold or regular)
    return FontChoice(
        regular=regular,
        bold=bold or regular,
        has_bold=bold is not None,
        embedded=True,
        path=candidate.path,
    )


def _load_ttf(path: str, subfont: int, *, configured: bool) -> str | None:
    key = (path, subfont)
    if key in _registered:
        name = _registered[key]
        if name is None and configured:
            log.warning("配置的 PDF 字体无法使用：%s", path)
        return name
    name = f"CJK-{Path(_basename(path)).stem}-{subfont}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=subfont))
    except (TTFError, OSError, ValueError) as exc:
        # CFF-outline OpenType (Noto/Source Han .otf/.ttc) lands here.
        level = logging.WARNING if configured else logging.DEBUG
        log.log(level, "无法加载 PDF 字体 %s：%s", path, exc)
        _registered[key] = None
        return None
    _registered[key] = name
    return name


def _register_cid_fallback(configured: str | None) -> FontChoice:
    log.warning(
        "未找到可嵌入的中文 TrueType 字体（配置：%s），改用内置 CID 字体 %s；"
        "该字体不嵌入 PDF，显示效果取决于阅读器。%s",
        configured or "未配置",
        CID_FALLBACK,
        INSTALL_HINT,
    )
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        pdfmetrics.registerFontFamily(CID_FALLBACK, normal=CID_FALLBACK, bold=CID_FALLBACK)
    return FontChoice(
        regular=CID_FALLBACK, bold=CID_FALLBACK, has_bold=False, embedded=False, path=None
    )
