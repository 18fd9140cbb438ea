"""What the city's screens read: lists and detail pages, each in a fixed number of queries.

Reading only. Every change goes through a domain service (see the routes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeMember,
    CooperativeStatus,
)
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.paging import Page, paginate
from marketplace.procurement.models import Agency, AgencyInvitation, AgencyMember

#: The application queue first: what waits for the city's decision.
QUEUE = (CooperativeStatus.PENDING, CooperativeStatus.CHANGES_REQUESTED)
#: Vendor orders that are still moving (the cooperative or the shopper has something to do).
OPEN_ORDER_STATUSES = (
    VendorOrderStatus.AWAITING_PAYMENT,
    VendorOrderStatus.PAID,
    VendorOrderStatus.ACCEPTED,
    VendorOrderStatus.SHIPPED,
    VendorOrderStatus.READY_FOR_PICKUP,
    VendorOrderStatus.DELIVERED,
)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar day starts and ends at (end exclusive)."""
    start = clock.day_start(day)
    return start, start + timedelta(days=1)


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern (with ``escape="\\"``): its own % and _ taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, lower-cased."""
    return f"%{escape_like(text.lower())}%"


# ---------------------------------------------------------------------------------------------
# Cooperatives
# ---------------------------------------------------------------------------------------------


def cooperative_status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(Cooperative.status, func.count()).group_by(Cooperative.status)
    ).all()
    counts = {str(status): 0 for status in CooperativeStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def list_cooperatives(statuses: tuple[str, ...]) -> list[tuple[Cooperative, int]]:
    """Cooperatives in these statuses with their number of products; the oldest application
    first in the queue, by name otherwise."""
    counts = (
        select(Product.cooperative_id, func.count(Product.id).label("products"))
        .where(Product.status != ProductStatus.ARCHIVED)
        .group_by(Product.cooperative_id)
        .subquery()
    )
    in_queue = set(statuses) <= set(QUEUE)
    rows = db.session.execute(
        select(Cooperative, func.coalesce(counts.c.products, 0))
        .outerjoin(counts, counts.c.cooperative_id == Cooperative.id)
        .where(Cooperative.status.in_(statuses))
        .order_by(*((Cooperative.created_at, Cooperative.id) if in_queue else (Cooperative.name,)))
    ).all()
    return [(cooperative, int(count)) for cooperative, count in rows]


@dataclass
class CooperativeDetail:
    cooperative: Cooperative
    members: list[CooperativeMember]
    product_counts: dict[str, int]
    open_orders: int
    history: list[AuditLog]


def cooperative_detail(cooperative_id: int) -> CooperativeDetail:
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound()
    members = list(
        db.session.scalars(
            select(CooperativeMember)
            .options(joinedload(CooperativeMember.user))
            .where(CooperativeMember.cooperative_id == cooperative_id)
            .order_by(CooperativeMember.role, CooperativeMember.id)
        )
    )
    rows = db.session.execute(
        select(Product.status, func.count())
        .where(Product.cooperative_id == cooperative_id)
        .group_by(Product.status)
    ).all()
    product_counts = {str(status): 0 for status in ProductStatus}
    product_counts.update({str(status): int(count) for status, count in rows})
    open_orders = db.session.scalar(
        select(func.count())
        .select_from(VendorOrder)
        .where(
            VendorOrder.cooperative_id == cooperative_id,
            VendorOrder.status.in_(OPEN_ORDER_STATUSES),
        )
    )
    history = list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.cooperative_id == cooperative_id, AuditLog.action.like("cooperative.%"))
            .order_by(AuditLog.id.desc())
            .limit(20)
        )
    )
    return CooperativeDetail(cooperative, members, product_counts, int(open_orders or 0), history)


def history_actors(entries: list[AuditLog]) -> dict[int, User]:
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


# ---------------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------------


@dataclass
class CategoryRow:
    category: Category
    products: int
    depth: int


def category_tree() -> list[CategoryRow]:
    """Every category in display order (each top category followed by its subcategories),
    with its number of products (not archived)."""
    categories = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    counts: dict[int, int] = {
        category_id: int(count)
        for category_id, count in db.session.execute(
            select(Product.category_id, func.count())
            .where(Product.status != ProductStatus.ARCHIVED)
            .group_by(Product.category_id)
        )
    }
    rows = []
    for top in (c for c in categories if c.parent_id is None):
        rows.append(CategoryRow(top, int(counts.get(top.id, 0)), 0))
        rows.extend(
            CategoryRow(child, int(counts.get(child.id, 0)), 1)
            for child in categories
            if child.parent_id == top.id
        )
    return rows


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound()
    return category


def product_list(text: str, status: str, page: int, per_page: int = 50) -> Page:
    statement = (
        select(Product)
        .options(joinedload(Product.cooperative), joinedload(Product.category))
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status:
        statement = statement.where(Product.status == status)
    if text:
        pattern = like_pattern(text)
        statement = statement.join(Product.cooperative).where(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Cooperative.name).like(pattern, escape="\\"),
            )
        )
    return paginate(statement, page, per_page)


def product_status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Product.status, func.count()).group_by(Product.status)).all()
    counts = {str(status): 0 for status in ProductStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def get_product(product_id: int) -> Product:
    product = db.session.scalar(
        select(Product)
        .options(
            joinedload(Product.cooperative),
            joinedload(Product.category),
            selectinload(Product.variants),
            selectinload(Product.images),
        )
        .where(Product.id == product_id)
    )
    if product is None:
        raise NotFound()
    return product


# ---------------------------------------------------------------------------------------------
# People and agencies
# ---------------------------------------------------------------------------------------------


def user_list(text: str, page: int, per_page: int = 50) -> Page:
    statement = select(User).order_by(User.id.desc())
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    return paginate(statement, page, per_page)


@dataclass
class UserDetail:
    user: User
    membership: CooperativeMember | None
    agency_roles: list[AgencyMember]


def user_detail(user_id: int) -> UserDetail:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    membership = db.session.scalar(
        select(CooperativeMember)
        .options(joinedload(CooperativeMember.cooperative))
        .where(CooperativeMember.user_id == user_id)
    )
    roles = list(
        db.session.scalars(
            select(AgencyMember)
            .options(joinedload(AgencyMember.agency))
            .where(AgencyMember.user_id == user_id)
            .order_by(AgencyMember.agency_id, AgencyMember.role)
        )
    )
    return UserDetail(user, membership, roles)


def agency_list() -> list[tuple[Agency, int]]:
    counts = (
        select(AgencyMember.agency_id, func.count(func.distinct(AgencyMember.user_id)).label("n"))
        .group_by(AgencyMember.agency_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Agency, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.agency_id == Agency.id)
        .order_by(Agency.name)
    ).all()
    return [(agency, int(n)) for agency, n in rows]


@dataclass
class AgencyDetail:
    agency: Agency
    members: list[AgencyMember]
    invitations: list[AgencyInvitation]


def agency_detail(agency_id: int) -> AgencyDetail:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    members = list(
        db.session.scalars(
            select(AgencyMember)
            .options(joinedload(AgencyMember.user))
            .where(AgencyMember.agency_id == agency_id)
            .order_by(AgencyMember.user_id, AgencyMember.role)
        )
    )
    invitations = list(
        db.session.scalars(
            select(AgencyInvitation)
            .where(
                AgencyInvitation.agency_id == agency_id,
                AgencyInvitation.accepted_at.is_(None),
                AgencyInvitation.revoked_at.is_(None),
            )
            .order_by(AgencyInvitation.id.desc())
        )
    )
    return AgencyDetail(agency, members, invitations)


# ---------------------------------------------------------------------------------------------
# The audit log
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    cooperative_id: int | None = None
    action: str = ""  # an action, or a group ending in ".*"
    date_from: date | None = None
    date_to: date | None = None


def action_kinds() -> list[str]:
    """Every action in the log, and each group of them (``cooperative.*``), for the filter."""
    actions = sorted(set(db.session.scalars(select(AuditLog.action).distinct())))
    groups = sorted({action.split(".", 1)[0] + ".*" for action in actions if "." in action})
    return groups + actions


def cooperative_choices() -> list[tuple[int, str]]:
    return [
        (cid, name)
        for cid, name in db.session.execute(
            select(Cooperative.id, Cooperative.name).order_by(Cooperative.name)
        )
    ]


def audit_entries(filters: AuditFilters, page: int, per_page: int = 50) -> Page:
    """Matching entries, newest first, with the actor's email and the cooperative's name."""
    statement = (
        select(AuditLog, User.email, Cooperative.name)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .outerjoin(Cooperative, Cooperative.id == AuditLog.cooperative_id)
        .order_by(AuditLog.id.desc())
    )
    if filters.user:
        statement = statement.where(
            func.lower(User.email).like(like_pattern(filters.user), escape="\\")
        )
    if filters.cooperative_id:
        statement = statement.where(AuditLog.cooperative_id == filters.cooperative_id)
    if filters.action.endswith(".*"):
        group = filters.action[:-2]
        statement = statement.where(AuditLog.action.like(escape_like(group) + ".%", escape="\\"))
    elif filters.action:
        statement = statement.where(AuditLog.action == filters.action)
    if filters.date_from:
        statement = statement.where(AuditLog.created_at >= local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        statement = statement.where(AuditLog.created_at < local_day_bounds(filters.date_to)[1])
    return paginate(statement, page, per_page, scalars=False)
