//! DNS delegation as evidence: whether the parent zone publishes the registrable domain,
//! and which changes of delegation call for a registry check.
//!
//! | DNS answer to `NS name.` | delegation | lifecycle (when DNS is the evidence) |
//! |---|---|---|
//! | NS records | delegated, with the NS host set | `active` |
//! | NOERROR without NS records (NODATA) | delegated, empty NS set | `active` |
//! | NXDOMAIN | undelegated | `inactive` |
//! | SERVFAIL, REFUSED, no answer in time | a failed lookup: says nothing | - |
//!
//! NODATA counts as delegated: the name exists in DNS (RFC 8020 has NXDOMAIN, and only
//! NXDOMAIN, say that nothing exists at or below it), so it is no evidence that the name
//! left its zone, and the lapse signal DNS gives is exactly "left the zone".

use super::lifecycle::Lifecycle;

/// What one DNS lookup of a registrable domain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// Whether the name is in DNS (an NS answer or NODATA; not NXDOMAIN).
    pub delegated: bool,
    /// The NS host names, lower-case without the trailing dot, sorted; empty when
    /// undelegated or NODATA.
    pub nameservers: Vec<String>,
    /// Whether the domain publishes MX records; `None` when that lookup failed.
    pub mail: Option<bool>,
    /// Where the domain's own mail goes (the domain as a mail domain), when the lookup
    /// asked and DNS answered: the `no_mail` state of its status. Not stored with the
    /// observation (its `mail` is); `None` read back.
    pub mail_route: Option<MailRoute>,
}

impl Delegation {
    /// An undelegated name (NXDOMAIN).
    pub fn undelegated() -> Self {
        Self {
            delegated: false,
            nameservers: Vec::new(),
            mail: Some(false),
            mail_route: None,
        }
    }

    /// The lifecycle the delegation shows where DNS is the only evidence: in the zone is
    /// `active`, out of it `inactive` (RDAP's own word for "not delegated").
    pub fn lifecycle(&self) -> Lifecycle {
        if self.delegated {
            Lifecycle::Active
        } else {
            Lifecycle::Inactive
        }
    }

    /// Whether going from `before` to `self` calls for a registry check at once: the name
    /// left the zone or came back, or a non-empty NS set was replaced by a disjoint one (a
    /// new holder brings new name servers; a holder who adds or drops one does not).
    pub fn differs_from(&self, before: &Delegation) -> bool {
        if self.delegated != before.delegated {
            return true;
        }
        let (old, new) = (&before.nameservers, &self.nameservers);
        !old.is_empty() && !new.is_empty() && !new.iter().any(|ns| old.contains(ns))
    }
}

/// Where the mail of a mail domain (the part after `@`, as written) is delivered, from
/// DNS: its MX hosts, or without MX records the host its address records belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailRoute {
    /// The MX records' exchange hosts (lowercase, without the root dot, sorted, once each).
    pub exchanges: Vec<String>,
    /// A null MX (RFC 7505: one MX record whose exchange is `.`): the domain accepts no
    /// mail.
    pub null_mx: bool,
    /// Without MX records: the names the address lookup's CNAME records point to (the
    /// mail goes to the host at the end of the chain).
    pub aliases: Vec<String>,
    /// Without MX records: whether the name has an address (A or AAAA), where RFC 5321
    /// delivers mail when there is no MX.
    pub has_address: bool,
}

impl MailRoute {
    /// The hosts the mail goes through: the exchanges, else the alias targets.
    pub fn hosts(&self) -> &[String] {
        if self.exchanges.is_empty() {
            &self.aliases
        } else {
            &self.exchanges
        }
    }

    /// No mail route: a null MX, or neither MX nor address records.
    pub fn no_mail(&self) -> bool {
        self.null_mx || (self.exchanges.is_empty() && !self.has_address)
    }
}

/// A mail domain's route, when it was first seen as it is (the `since` of `no_mail`) and
/// when DNS last gave it; kept in memory and in the store (`mail_routes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRoute {
    pub route: MailRoute,
    pub seen_at: chrono::DateTime<chrono::Utc>,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
}

/// How long a mail route is used before DNS is asked again.
pub const MAIL_ROUTE_FRESH: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// How long after DNS last gave it a mail route still answers when DNS cannot, and is
/// kept.
pub const MAIL_ROUTE_KEPT_FOR: chrono::TimeDelta = chrono::TimeDelta::days(7);

impl SeenRoute {
    /// Young enough to answer without asking DNS again.
    pub fn is_fresh(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        now - self.fetched_at < MAIL_ROUTE_FRESH
    }

    /// Young enough to answer when DNS cannot.
    pub fn is_kept(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        now - self.fetched_at < MAIL_ROUTE_KEPT_FOR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delegated(nameservers: &[&str]) -> Delegation {
        Delegation {
            delegated: true,
            nameservers: nameservers.iter().map(|s| (*s).to_owned()).collect(),
            mail: Some(true),
            mail_route: None,
        }
    }

    #[test]
    fn a_mail_route_is_its_exchanges_else_its_aliases() {
        let mx = MailRoute {
            exchanges: vec!["mx.lapsed-mail.net".into()],
            aliases: vec!["ignored.example".into()],
            ..MailRoute::default()
        };
        assert_eq!(mx.hosts(), ["mx.lapsed-mail.net"]);
        assert!(!mx.no_mail());
        let alias = MailRoute {
            aliases: vec!["host.provider.net".into()],
            has_address: true,
            ..MailRoute::default()
        };
        assert_eq!(alias.hosts(), ["host.provider.net"]);
        assert!(!alias.no_mail());
        assert!(MailRoute::default().no_mail(), "no MX, no address");
        let null = MailRoute {
            null_mx: true,
            has_address: true,
            ..MailRoute::default()
        };
        assert!(null.no_mail());
        assert!(null.hosts().is_empty());
    }

    #[test]
    fn leaving_or_rejoining_the_zone_is_a_change() {
        let before = delegated(&["ns1.example.net"]);
        assert!(Delegation::undelegated().differs_from(&before));
        assert!(before.differs_from(&Delegation::undelegated()));
        assert!(!Delegation::undelegated().differs_from(&Delegation::undelegated()));
    }

    #[test]
    fn only_a_disjoint_name_server_set_is_a_change() {
        let before = delegated(&["a.ns.net", "b.ns.net"]);
        assert!(!delegated(&["b.ns.net", "c.ns.net"]).differs_from(&before));
        assert!(delegated(&["x.other.org"]).differs_from(&before));
        // NODATA (an empty set) next to a set says nothing about a new holder.
        assert!(!delegated(&[]).differs_from(&before));
        assert!(!before.differs_from(&delegated(&[])));
    }

    #[test]
    fn in_the_zone_is_active_and_out_of_it_inactive() {
        assert_eq!(delegated(&[]).lifecycle(), Lifecycle::Active);
        assert_eq!(Delegation::undelegated().lifecycle(), Lifecycle::Inactive);
    }
}
