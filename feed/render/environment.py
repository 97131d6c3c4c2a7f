"""The Jinja2 environment: autoescaped templates are the only source of HTML."""

from __future__ import annotations

from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from schemas.jsonld import script_safe_json
from widget.i18n import SOURCE_LANGUAGE, Messages


def _ldjson(value: Any) -> Markup:
    # Safe to mark: script_safe_json leaves no <, > or & for the HTML parser to see.
    return Markup(script_safe_json(value))  # noqa: S704


def _messages(context: Context) -> Messages:
    """The catalogue a template speaks: the `t` it was given, or English (feeds' XML, nginx.conf)."""
    t = context.get("t")
    return t if isinstance(t, Messages) else Messages(SOURCE_LANGUAGE)


# As Jinja's own "new style" gettext: the translation is trusted markup, the values filled into
# it are escaped (a claimant's name cannot become HTML), and `%(num)s` is the count.
@pass_context
def _gettext(context: Context, message: str, **values: object) -> str:
    text = _messages(context).translate(message)
    if context.eval_ctx.autoescape:
        return Markup(text) % values if values else Markup(text)  # noqa: S704 (our catalogues)
    return text % values if values else text


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, **values: object) -> str:
    t = _messages(context)
    text = t.translate_plural(singular, plural, num)
    values = {"num": t.number(num)} | values
    return (Markup(text) if context.eval_ctx.autoescape else text) % values  # noqa: S704 (our catalogues)


@pass_context
def _word_list(context: Context, items: list[Any]) -> Markup:
    """Items (text or markup) joined as the language lists them: 'A, B and C', 'A، B و C'."""
    return Markup(_messages(context).join([str(escape(item)) for item in items]))  # noqa: S704 (escaped)


def make_environment(**globals_: Any) -> Environment:
    environment = Environment(
        # The service's pages and the card's templates, one environment.
        loader=ChoiceLoader([PackageLoader("feed", "templates"), PackageLoader("widget", "templates")]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["ldjson"] = _ldjson
    # Templates call _("..."), gettext("...") and ngettext(...) (see widget.i18n).
    environment.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, word_list=_word_list)
    environment.globals.update(globals_)
    return environment
