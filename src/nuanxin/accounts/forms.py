from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import EdgeForm


def remember_field() -> forms.BooleanField:
    return forms.BooleanField(label=_("在这台手机上保持登录"), required=False, initial=True)


class PasswordLoginForm(EdgeForm):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    remember = remember_field()


class SmsLoginForm(EdgeForm):
    phone = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    remember = remember_field()


class SecondFactorForm(EdgeForm):
    code = forms.CharField(
        label=_("动态验证码"),
        max_length=16,
        help_text=_("身份验证器显示的 6 位数字；手机不在身边时可输入一个备用验证码。"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
