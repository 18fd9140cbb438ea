"""Every route declares who may use it; the wrong role gets 403, a guest is sent to log in."""

from __future__ import annotations

from flask import Flask, Response
from flask.testing import FlaskClient

from marketplace.cooperatives.access import COOPERATIVE_MEMBER
from marketplace.policy import CITY_ADMIN, allow
from marketplace.procurement.access import agency_role
from marketplace.procurement.models import ProcurementRole
from tests.conftest import login
from tests.factories import AgencyMemberFactory, CooperativeMemberFactory, UserFactory


def test_every_route_declares_a_policy(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "_route_policy", None) is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], f"Routes without a declared policy: {missing}"


def test_a_route_without_a_policy_is_refused(app: Flask) -> None:
    # A separate app, so the shared one keeps its URL map intact.
    from tests.conftest import make_test_app

    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert other.test_client().get("/forgotten").status_code == 403


def _app_with_guarded_routes(app: Flask) -> Flask:
    from tests.conftest import make_test_app

    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])

    @allow(CITY_ADMIN)
    def admin_only() -> Response:
        return Response("admin")

    @allow(COOPERATIVE_MEMBER)
    def members_only() -> Response:
        return Response("member")

    @allow(agency_role(ProcurementRole.PPK))
    def ppk_only() -> Response:
        return Response("ppk")

    other.add_url_rule("/t/admin", "admin_only", admin_only)
    other.add_url_rule("/t/member", "members_only", members_only)
    other.add_url_rule("/t/ppk", "ppk_only", ppk_only)
    return other


def test_roles_are_enforced(app: Flask) -> None:
    guarded = _app_with_guarded_routes(app)
    # Both apps share the extension's session, so the guarded app sees this test's data.
    UserFactory(email="p@example.test")
    UserFactory(email="a@example.test", is_city_admin=True)
    CooperativeMemberFactory(user=UserFactory(email="m@example.test"))
    AgencyMemberFactory(user=UserFactory(email="k@example.test"), role=ProcurementRole.PPK)
    expectations = {
        None: {"/t/admin": 302, "/t/member": 302, "/t/ppk": 302},
        "p@example.test": {"/t/admin": 403, "/t/member": 403, "/t/ppk": 403},
        "a@example.test": {"/t/admin": 200, "/t/member": 403, "/t/ppk": 403},
        "m@example.test": {"/t/admin": 403, "/t/member": 200, "/t/ppk": 403},
        "k@example.test": {"/t/admin": 403, "/t/member": 403, "/t/ppk": 200},
    }
    for email, routes in expectations.items():
        client: FlaskClient = guarded.test_client()
        if email:
            assert login(client, email).status_code == 302
        for path, status in routes.items():
            response = client.get(path)
            assert response.status_code == status, (email, path)
            if status == 302:
                assert "/account/login?next=" in response.headers["Location"]


def test_a_guest_is_sent_to_log_in_with_next(client: FlaskClient) -> None:
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/profile"
