"""App-wide commands: ``flask seed-demo``, ``flask create-admin``, ``flask mail send-pending``;
the domains' groups (``flask orders …``, ``flask cart …``, ``flask certificates …``) live in
their packages."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from marketplace.extensions import db

mail_cli = AppGroup("mail", help="The mail outbox.")
jobs_cli = AppGroup("jobs", help="Background jobs (RQ on Redis) and periodic tasks.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def jobs_worker_command(burst: bool) -> None:
    """Run an RQ worker for the default queue (needs REDIS_URL)."""
    from rq import Worker

    from marketplace import jobs
    from marketplace.extensions import redis_client

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
    jobs.use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    # Each job runs in a forked child; it must not share the parent's database connections.
    db.engine.dispose()
    Worker([jobs.QUEUE_NAME], connection=redis_client()).work(with_scheduler=True, burst=burst)


@jobs_cli.command("scheduler")
def jobs_scheduler_command() -> None:
    """Run the periodic tasks on schedule, as RQ jobs (needs REDIS_URL)."""
    from rq.cron import CronScheduler

    from marketplace import jobs
    from marketplace.extensions import redis_client

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: run `flask jobs run-periodic` from cron every minute instead."
        )
    scheduler = CronScheduler(connection=redis_client())
    for task in jobs.periodic_tasks():
        scheduler.register(
            jobs.run,
            queue_name=jobs.QUEUE_NAME,
            # Through run_periodic_task, which notes each run for the operations page.
            args=("marketplace.jobs:run_periodic_task", task.name),
            interval=task.interval_seconds,
            name=task.name,
        )
    scheduler.start()


@jobs_cli.command("run-periodic")
@click.option("--all", "everything", is_flag=True, help="Run every task, due or not.")
def jobs_run_periodic_command(everything: bool) -> None:
    """Run the periodic tasks that are due (cron, every minute, when there is no Redis)."""
    from marketplace.jobs import run_periodic_once

    click.echo("ran: " + ", ".join(run_periodic_once(everything)))


@jobs_cli.command("list")
def jobs_list_command() -> None:
    """List the periodic tasks and their intervals."""
    from marketplace.jobs import periodic_tasks

    for task in periodic_tasks():
        click.echo(f"{task.name}\tevery {task.interval_seconds}s\t{task.function}")


@mail_cli.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="At most this many emails.")
def send_pending_command(limit: int) -> None:
    """Send emails waiting in the outbox (safe to run from cron, and twice at once)."""
    from marketplace.mail import send_pending

    sent, not_sent = send_pending(limit)
    click.echo(f"sent {sent}, not sent {not_sent}")


@click.command("seed-demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Allow seeding in production.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users already.")
def seed_demo_command(force: bool, if_empty: bool) -> None:
    """Load the demo pilot: nine fictional cooperatives, products, agencies and demo accounts."""
    from marketplace.demo import database_is_empty, seed_demo

    if not current_app.config["SEED_DEMO_ALLOWED"] and not force:
        raise click.ClickException(
            "Refusing to load demo data in production. Use --force if you really mean it."
        )
    if if_empty and not database_is_empty():
        click.echo("Database already has data; demo data not loaded.")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo(summary)


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.option("--password", help="The new account's password; asked for (hidden) when left out.")
def create_admin_command(email: str, name: str, password: str | None) -> None:
    """Create a city administrator account (or make an existing account one).

    A new account obeys registration's rules for the name, email and password.
    """
    from marketplace.accounts.services import create_user, find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        name, email = _valid_new_account(name, email, password)
        user = create_user(email, password, name, verified=True, is_city_admin=True)
    else:
        user.is_city_admin = True
        if password is not None:
            click.echo("The account exists already: its password is unchanged.")
    db.session.commit()
    click.echo(f"{user.email} is a city administrator.")


def _valid_new_account(name: str, email: str, password: str) -> tuple[str, str]:
    """The name and email as registration would store them, or every problem at once."""
    from flask_babel import force_locale
    from werkzeug.datastructures import MultiDict

    from marketplace.accounts.forms import NewAccountForm

    data = MultiDict({"full_name": name, "email": email, "password": password})
    with force_locale("en"):
        form = NewAccountForm(formdata=data, meta={"csrf": False})
        if not form.validate():
            options = {"full_name": "--name", "email": "EMAIL", "password": "--password"}
            raise click.ClickException(
                "No account created. "
                + " ".join(
                    f"{options[field]}: {' '.join(map(str, errors))}"
                    for field, errors in form.errors.items()
                )
            )
    return form.full_name.data, form.email.data


@click.command("match-addresses")
@with_appcontext
def match_addresses_command() -> None:
    """Give saved addresses without region codes the codes their text names, where it can."""
    from marketplace.accounts.address_regions import match_saved_addresses

    matched, left = match_saved_addresses()
    db.session.commit()
    click.echo(f"{matched} addresses matched to regions, {left} left for the shopper to choose")


def register_cli(app: Flask) -> None:
    from marketplace.cart.cli import cart_cli
    from marketplace.catalogue.cli import catalogue_cli
    from marketplace.certificates.cli import certificates_cli
    from marketplace.ops_cli import ops_cli
    from marketplace.orders.cli import orders_cli
    from marketplace.payments.cli import payments_cli
    from marketplace.procurement.cli import procurement_cli
    from marketplace.regions.cli import regions_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(cart_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(procurement_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(ops_cli)
    regions_cli.add_command(match_addresses_command)
    app.cli.add_command(regions_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
