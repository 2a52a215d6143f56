"""When will each customer pay? A per-invoice payment-date model for the receivables forecast.

The model learns days late (settlement minus due date) from the customer's own record
up to the prediction day (average, median, recent trend, volatility, share paid late,
disputes, usual amount, same month last year), the invoice (terms, amount, dispute,
month and weekday) and the customer's segment, which also carries customers with no
history. It gives each open invoice a full distribution of its payment day, conditioned
on the invoice still being unpaid at ``as_of``, and from those the daily receipts
expected per entity and currency.

How: gradient-boosted median days late (L1 loss, anchored on the customer's own level
where validation prefers it), a booster for the typical error and the empirical shape of
out-of-sample errors give each invoice 200 equally likely payment days; a classifier
gives the chance of paying late; days already passed are cut off (with the model's upper
tail for invoices later than it expected), payments are moved onto the customer's
payment-run weekday and off weekends the bank never books on, and a ledger-counted
chance of never paying grows with the days overdue. See ``payments_*`` for each part.

Typical use::

    model = fit_payment_model(ws.read("ar_invoices"), as_of=day, customers=ws.read("customers"))
    open_ = open_invoices_at(ws.read("ar_invoices"), day)
    table = predict_payments(model, open_, as_of=day)
    receipts = expected_receipts(model, open_, as_of=day, horizon_days=90, n_paths=500)
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.forecasting.payments_data import open_invoices_at
from tools.forecasting.payments_fit import fit_model
from tools.forecasting.payments_model import PaymentModel, PaymentModelInfo
from tools.forecasting.payments_predict import predict_payments, quantile_column
from tools.forecasting.payments_receipts import ExpectedReceipts, expected_receipts

__all__ = [
    "ExpectedReceipts",
    "PaymentModel",
    "PaymentModelInfo",
    "expected_receipts",
    "fit_payment_model",
    "open_invoices_at",
    "predict_payments",
    "quantile_column",
]


def fit_payment_model(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    customers: pd.DataFrame | None = None,
    seed: int = 0,
    tune: bool = True,
    max_iter: int = 400,
    late_classifier: bool = True,
) -> PaymentModel:
    """Learn how the customers pay from the invoices settled by the close of ``as_of``.

    Nothing after ``as_of`` is used: later settlements are treated as unknown, and every
    training invoice's features come only from invoices settled before it was issued.
    Invoices issued in the last stretch before ``as_of`` (the 90th percentile of days to
    settle) are left out of training, since only their early payers are settled yet.
    Hyper-parameters are chosen on the latest 20 % of training invoices (by issue date).

    Args:
        invoices: ``ar_invoices`` (open and settled); credit notes are ignored.
        as_of: the day the data is complete through.
        customers: ``customers`` master data; its ``segment`` lets new customers borrow
            their segment's behaviour (all customers form one segment without it).
        seed: seeds the gradient boosting.
        tune: search the small parameter grid (else one default setting).
        max_iter: most boosting rounds tried.
        late_classifier: also learn the chance of paying after the due date as judged at
            issue (``p_late`` of not-yet-due invoices); without it ``p_late`` is read from
            the payment-day distribution, and fitting is about a third quicker.

    Returns:
        A ``PaymentModel``; ``model.info`` holds its provenance and validation scores.

    Raises:
        DataError: a required column is missing or invalid (the error names it), or fewer
            than 30 invoices are settled by ``as_of``.
    """
    return fit_model(
        invoices,
        as_of=as_of,
        customers=customers,
        seed=seed,
        tune=tune,
        max_iter=max_iter,
        late_classifier=late_classifier,
    )
