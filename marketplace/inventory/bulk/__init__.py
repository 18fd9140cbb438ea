"""Bulk import and export of a cooperative's products and stock (CSV or XLSX, one row a variant).

An import is two steps. First a dry run reads the whole file, checks every row and records what
would be created or changed and every error (row number, column, message code) on an `ImportJob`.
Then, when the preview has no errors, confirming applies every row in one transaction (all or
none), through the same services the screens use (so prices and stock changes are audited and
each stock change writes a movement). The file is checked again at that moment, so a preview
that went stale is refused rather than half-applied.

Rows are matched by SKU within the cooperative: a known SKU updates that variant and its product;
a new SKU joins the product of the same name (in the file or the shop), else a new draft product.
Export writes the same columns, so exporting and importing the result changes nothing.

By stage: `read` (the file's columns and rows, the error messages), `plan` (the dry run),
`apply` (applying a plan), `imports` (the `ImportJob`: started, confirmed, run in the
background) and `export` (the shop's rows and the template).
"""
