"""``{{ amenity.name|vocab }}``: a stored name in the reader's language (``core.vocab``)."""

from django import template

from nuanxin.core.vocab import vocab_label

register = template.Library()


@register.filter(name="vocab")
def vocab(name: str | None) -> str:
    return vocab_label(name)
