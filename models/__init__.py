"""The agency's data model (SQLAlchemy 2 typed models), one module per area."""
from models.agency import Agency, Office
from models.caregivers import Caregiver, WorkerKind
from models.billing import BatchStatus, Invoice, InvoiceBatch, InvoiceLine, LineKind
from models.clients import Client, Payer, PayerKind, ServiceType
from models.qbo import ConnectionStatus, QboConnection, QboOAuthState
from models.links import CustomerLink, LinkKind, LinkSource
from models.sync_settings import ItemMapping, OfficeMapping, QboCatalogCache, SyncSettings
from models.matching_state import CustomerListState, MatchProposal, PendingCreation, QboCustomerCopy
from models.users import LoginAttempt, Role, User
from models.export import ExportEvent, ExportJob, ExportStatus, InvoiceExport, JobStatus
from models.payments import (QboCustomerState, QboInvoiceState, QboPayment, QboPaymentLine, QboPollState,
                             QboWebhookEvent)
from models.qbo_platform import QboReadUsage, QboTaxProfile, QboTaxSetting
from models.corrections import (ActionKind, ActionStatus, CorrectionSettings, InvoiceAction,  # noqa: F401
                                InvoiceRevision, InvoiceRevisionLine, UndoMode)
from models.worker_matching import QboWorkerCopy, WorkerCreation, WorkerLink, WorkerListState
from models.time_export import TimeExport, TimeExportEvent, TimeExportJob, TimeSetting

__all__ = [
    "Agency", "Office", "User", "Role", "LoginAttempt", "Client", "Payer", "PayerKind",
    "ServiceType", "CustomerLink", "LinkKind", "LinkSource", "InvoiceBatch", "Invoice", "InvoiceLine", "LineKind", "BatchStatus",
    "SyncSettings", "ItemMapping", "OfficeMapping", "QboCatalogCache",
    "ConnectionStatus", "QboConnection", "QboOAuthState",
    "QboCustomerCopy", "CustomerListState", "MatchProposal", "PendingCreation",
    "InvoiceExport", "ExportJob", "ExportEvent", "ExportStatus", "JobStatus",
    "QboInvoiceState", "QboPayment", "QboPaymentLine", "QboCustomerState", "QboPollState", "QboWebhookEvent",
    "Caregiver", "WorkerKind",
    "QboReadUsage", "QboTaxProfile", "QboTaxSetting",
    "QboWorkerCopy", "WorkerCreation", "WorkerLink", "WorkerListState",
    "TimeExport", "TimeExportEvent", "TimeExportJob", "TimeSetting",
    "ActionKind", "ActionStatus", "CorrectionSettings", "InvoiceAction", "InvoiceRevision",
    "InvoiceRevisionLine", "UndoMode",
]
