"""``flask catalogue backfill-images``: the WebP copies of photos stored before them."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.extensions import db

catalogue_cli = AppGroup("catalogue", help="The catalogue: product photos.")


@catalogue_cli.command("backfill-images")
def backfill_images_command() -> None:
    """Make the WebP copies (320, 640 and 1200 pixels wide) of every product photo that lacks
    them, and delete the older thumbnails they replace. Safe to run again: a photo that has its
    copies is skipped. Each photo is committed on its own, so an interrupted run keeps what it
    did."""
    from marketplace.catalogue.images import add_missing_renditions, has_current_renditions
    from marketplace.catalogue.models import ProductImage
    from marketplace.storage import storage

    made = current = 0
    missing: list[int] = []
    for image_id in db.session.scalars(select(ProductImage.id).order_by(ProductImage.id)).all():
        image = db.session.get(ProductImage, image_id)
        if image is None:  # deleted meanwhile
            continue
        if has_current_renditions(image):
            current += 1
        else:
            try:
                replaced = add_missing_renditions(image)
            except OSError:  # the file is gone, or not an image Pillow can read
                db.session.rollback()
                missing.append(image_id)
                continue
            db.session.commit()
            for key in replaced:
                storage().delete(key)
            made += 1
        db.session.expunge_all()  # thousands of photos need not stay in memory
    click.echo(f"{made} photos given WebP copies, {current} already had them")
    if missing:
        click.echo(
            f"{len(missing)} photos could not be read (file missing or damaged), product image "
            f"ids: {', '.join(map(str, missing))}",
            err=True,
        )
