from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts import address_regions, bp, services, sessions
from marketplace.accounts import privacy as privacy_rules
from marketplace.accounts.exceptions import (
    AccountDisabled,
    InvalidCredentials,
    InvalidToken,
    UnknownRegion,
)
from marketplace.accounts.forms import (
    AddressForm,
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from marketplace.accounts.models import Address
from marketplace.extensions import limiter
from marketplace.http import (
    FORM_ERROR,
    Page,
    form_status,
    keeps_input_when_expired,
    local_next,
    private_download,
    redirect_next,
)
from marketplace.i18n import chosen_on_this_device
from marketplace.policy import GUEST_ONLY, PUBLIC, SIGNED_IN, allow


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _register_limit() -> str:
    return str(current_app.config["RATELIMIT_REGISTER"])


def _reset_limit() -> str:
    return str(current_app.config["RATELIMIT_PASSWORD_RESET"])


@bp.route("/register", methods=["GET", "POST"])
@allow(GUEST_ONLY)
@keeps_input_when_expired
@limiter.limit(_register_limit, methods=["POST"])
def register() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("catalogue.home"))
    form = RegistrationForm()
    if request.method == "GET":
        form.next.data = local_next() or ""
    if form.validate_on_submit():
        next_path = local_next(form.next.data)
        services.register_user(
            form.email.data,
            form.password.data,
            form.full_name.data,
            str(get_locale()),
            next_path=next_path,
        )
        return redirect(url_for("accounts.check_email", next=next_path))
    return render_template(
        "accounts/register.html", form=form, next_path=local_next(form.next.data)
    ), form_status(form)


@bp.route("/check-email")
@allow(PUBLIC)
def check_email() -> Page:
    return render_template("accounts/check_email.html", next_path=local_next())


@bp.route("/verify/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def verify_email(token: str) -> Page:
    form = ConfirmForm()
    try:
        user = services.verification_user(token)
        if user.email_verified_at is None and not form.validate_on_submit():
            # The link shows a button: a GET changes nothing (mail scanners open links too).
            return render_template("accounts/verify_email.html", form=form, email=user.email)
        services.verify_email(token)
    except InvalidToken as error:
        return render_template("accounts/token_invalid.html", message=error.message), 400
    flash(_("Email Anda sudah terverifikasi. Terima kasih!"), "success")
    if current_user.is_authenticated:
        return redirect_next("accounts.profile")
    return redirect(url_for("accounts.login", next=local_next()))


@bp.route("/verify/resend", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(_reset_limit)
def resend_verification() -> Page:
    if not current_user.is_verified:
        services.send_verification_email(current_user, local_next())
        flash(_("Tautan verifikasi baru sudah dikirim ke email Anda."), "info")
    return redirect_next("accounts.profile")


@bp.route("/login", methods=["GET", "POST"])
@allow(GUEST_ONLY)
@keeps_input_when_expired
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Page:
    if current_user.is_authenticated:
        return redirect_next("catalogue.home")
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except (InvalidCredentials, AccountDisabled) as error:
            form.password.errors = [error.message]
        else:
            sessions.sign_in(user, remember=form.remember.data)
            device_language = chosen_on_this_device()
            if device_language:
                services.set_locale(user, device_language)
            flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
            return redirect_next("catalogue.home")
    status = form_status(form)
    return render_template(
        "accounts/login.html", form=form, next_path=local_next(form.next.data)
    ), status


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout() -> Page:
    sessions.sign_out()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("catalogue.home"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@allow(SIGNED_IN)
def sign_out_everywhere() -> Page:
    sessions.sign_out_everywhere(current_user._get_current_object())
    sessions.sign_out()
    flash(
        _("Anda sudah keluar dari semua perangkat, termasuk perangkat ini. Silakan masuk lagi."),
        "info",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@allow(PUBLIC)
@keeps_input_when_expired
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "Jika email itu terdaftar, kami sudah mengirim tautan untuk mengatur ulang kata "
                "sandi."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = form_status(form)
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@keeps_input_when_expired
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str) -> Page:
    try:
        services.user_for_reset_token(token)
    except InvalidToken as error:
        return render_template("accounts/token_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        sessions.sign_out()
        flash(_("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."), "success")
        return redirect(url_for("accounts.login"))
    status = form_status(form)
    return render_template("accounts/reset_password.html", form=form), status


@bp.route("/profile", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def profile() -> Page:
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or str(get_locale())
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            services.ProfileData(form.full_name.data, form.phone.data, form.locale.data),
        )
        flash(_("Profil sudah disimpan."), "success")
        response = redirect(url_for("accounts.profile"))
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE_NAME"],
            form.locale.data,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        return response
    return render_template(
        "accounts/profile.html",
        form=form,
        addresses=services.list_addresses(current_user),
    ), form_status(form)


@bp.route("/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def change_password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except InvalidCredentials as error:
            form.current_password.errors = [error.message]
        else:
            # Every sign-in ended with the old password: this device gets a fresh one.
            sessions.sign_in(user)
            flash(_("Kata sandi sudah diganti."), "success")
            return redirect(url_for("accounts.profile"))
    status = form_status(form)
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/addresses/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def new_address() -> Page:
    form = AddressForm()
    if request.method == "GET":
        # A link may name the regions to start from (?province=35&regency=35.76).
        for name in ("province", "regency", "district", "village"):
            form[f"{name}_code"].data = request.args.get(name, "")
    choices = _offer_regions(form)
    if _choosing_region() or not form.validate_on_submit():
        return _address_page(form, None)
    try:
        services.add_address(current_user, _address_data(form, choices))
    except UnknownRegion as error:
        form.village_code.errors = [error.message]
        return _address_page(form, None)
    flash(_("Alamat sudah disimpan."), "success")
    return redirect_next("accounts.profile")


@bp.route("/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
@keeps_input_when_expired
def edit_address(address_id: int) -> Page:
    address = services.get_address(current_user, address_id)
    form = AddressForm(obj=address)
    choices = _offer_regions(form)
    if _choosing_region() or not form.validate_on_submit():
        return _address_page(form, address)
    try:
        services.update_address(current_user, address_id, _address_data(form, choices))
    except UnknownRegion as error:
        form.village_code.errors = [error.message]
        return _address_page(form, address)
    flash(_("Alamat sudah diperbarui."), "success")
    return redirect_next("accounts.profile")


def _choosing_region() -> bool:
    """The form's "Tampilkan pilihan" button (used without JavaScript): list the children of
    what was chosen, keep what was typed, save nothing."""
    return request.method == "POST" and "choose_region" in request.form


def _offer_regions(form: AddressForm) -> address_regions.RegionChoices:
    return address_regions.fill_region_lists(form, refreshing=_choosing_region())


def _address_page(form: AddressForm, address: Address | None) -> Page:
    status = 200 if _choosing_region() else form_status(form)
    return render_template(
        "accounts/address_form.html",
        form=form,
        address=address,
    ), status


@bp.route("/addresses/<int:address_id>/delete", methods=["POST"])
@allow(SIGNED_IN)
def delete_address(address_id: int) -> Page:
    services.delete_address(current_user, address_id)
    flash(_("Alamat sudah dihapus."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/privacy")
@allow(SIGNED_IN)
def privacy() -> Page:
    return render_template(
        "accounts/privacy.html", form=DeleteAccountForm(), export_form=ConfirmForm()
    )


@bp.route("/privacy/export", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(_reset_limit)
def export_data() -> Page:
    # A POST: each download is recorded in the audit log (UU PDP asks who took what, and when).
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.privacy"))
    data = privacy_rules.export_personal_data(current_user)
    return private_download(
        current_app.json.dumps(data),
        "application/json",
        "data-pribadi-pasar-opop.json",
    )


@bp.route("/delete", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(_login_limit)
def delete_account() -> Page:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            privacy_rules.delete_account(user, form.password.data)
        except (InvalidCredentials, privacy_rules.ErasureRefused) as error:
            form.password.errors = [error.message]
        else:
            sessions.sign_out()
            flash(
                _("Akun Anda sudah dihapus. Terima kasih telah berbelanja di Pasar OPOP."), "info"
            )
            return redirect(url_for("catalogue.home"))
    return (
        render_template("accounts/privacy.html", form=form, export_form=ConfirmForm()),
        FORM_ERROR,
    )


def _address_data(
    form: AddressForm, choices: address_regions.RegionChoices
) -> services.AddressData:
    return services.AddressData(
        label=form.label.data,
        recipient_name=form.recipient_name.data,
        phone=form.phone.data,
        street=form.street.data,
        # Only a village under the chosen district (the lists drop any other code).
        village_code=choices.village,
        postal_code=form.postal_code.data,
        is_default=bool(form.is_default.data),
    )
