"""Contains all the data models used in inputs/outputs"""

from .audit_action import AuditAction
from .audit_item import AuditItem
from .audit_item_details import AuditItemDetails
from .audit_page import AuditPage
from .batch_item import BatchItem
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .change import Change
from .check_request import CheckRequest
from .check_response import CheckResponse
from .decided_item import DecidedItem
from .discard_response import DiscardResponse
from .domain_summary import DomainSummary
from .domain_view import DomainView
from .domains_page import DomainsPage
from .evidence_source import EvidenceSource
from .health_response import HealthResponse
from .health_status import HealthStatus
from .hold_view import HoldView
from .holds_response import HoldsResponse
from .invalid_item import InvalidItem
from .lifecycle import Lifecycle
from .observation_item import ObservationItem
from .outcome import Outcome
from .override_decision import OverrideDecision
from .override_request import OverrideRequest
from .override_state import OverrideState
from .override_view import OverrideView
from .overrides_page import OverridesPage
from .problem import Problem
from .reason import Reason
from .rejected_entry import RejectedEntry
from .release_response import ReleaseResponse
from .signal import Signal
from .signal_state import SignalState
from .source import Source
from .stats_response import StatsResponse
from .stats_response_holds import StatsResponseHolds
from .stats_response_lifecycles import StatsResponseLifecycles
from .transition_item import TransitionItem
from .transition_kind import TransitionKind
from .transitions_page import TransitionsPage
from .watch_field import WatchField
from .watch_request import WatchRequest
from .watch_response import WatchResponse

__all__ = (
    "AuditAction",
    "AuditItem",
    "AuditItemDetails",
    "AuditPage",
    "BatchItem",
    "BatchRequest",
    "BatchResponse",
    "Change",
    "CheckRequest",
    "CheckResponse",
    "DecidedItem",
    "DiscardResponse",
    "DomainsPage",
    "DomainSummary",
    "DomainView",
    "EvidenceSource",
    "HealthResponse",
    "HealthStatus",
    "HoldsResponse",
    "HoldView",
    "InvalidItem",
    "Lifecycle",
    "ObservationItem",
    "Outcome",
    "OverrideDecision",
    "OverrideRequest",
    "OverridesPage",
    "OverrideState",
    "OverrideView",
    "Problem",
    "Reason",
    "RejectedEntry",
    "ReleaseResponse",
    "Signal",
    "SignalState",
    "Source",
    "StatsResponse",
    "StatsResponseHolds",
    "StatsResponseLifecycles",
    "TransitionItem",
    "TransitionKind",
    "TransitionsPage",
    "WatchField",
    "WatchRequest",
    "WatchResponse",
)
