//! The simulated registry: a population of domains whose RDAP answers follow the gTLD
//! lifecycle (auto-renew grace, redemption, pending delete, purge; see docs/evidence.md's
//! "How well does it catch lapses?") and whose DNS delegation follows them (out of the
//! zone on hold, in redemption, pending delete and once purged; new name servers with a
//! new holder), reproducible from a seed. Some domains are deleted by their holder before
//! expiry; some sit on TLDs with no RDAP server, where DNS is all there is.

use chrono::{DateTime, Duration, Utc};

use crate::domain::delegation::Delegation;
use crate::domain::status::{Finding, Registration};

pub const DAY: i64 = 86_400;
const GRACE_MAX_DAYS: f64 = 45.0;
const REDEMPTION: i64 = 30 * DAY;
const PENDING_DELETE: i64 = 5 * DAY;
/// Registrars must cut DNS for at least the last 8 days of grace before deleting.
const DNS_CUT_BEFORE_DELETE: i64 = 8 * DAY;

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in [low, high).
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }
}

/// How a lapse ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// The holder renews during auto-renew grace, at this offset from the lapse's start.
    RenewedInGrace(i64),
    /// The registrar sells the name during grace (day 30 or later): it changes hands.
    SoldInGrace(i64),
    /// The holder restores it during redemption.
    Restored(i64),
    /// Purged; re-registered by a drop-catcher this many seconds later, if at all.
    Purged { recaught_after: Option<i64> },
}

/// A domain that is not renewed at its expiry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lapse {
    /// Length of auto-renew grace, seconds (0 to 45 days).
    pub grace: i64,
    pub fate: Fate,
}

/// One simulated domain. Times are seconds from the simulation's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimDomain {
    /// Which RDAP host answers for it.
    pub host: usize,
    /// Its TLD has no RDAP server: only DNS can see it.
    pub dns_only: bool,
    pub registered: i64,
    /// The first expiry inside the simulated period; the lapse, if any, starts here. For
    /// a domain its holder deletes early, the deletion.
    pub expiry: i64,
    /// For a domain deleted early, how much of its term was left: the expiry date RDAP
    /// shows lies this far after the deletion (0 otherwise).
    pub term_left: i64,
    /// Some ccTLDs publish no expiry date.
    pub publishes_expiry: bool,
    pub lapse: Option<Lapse>,
    /// A change of hands without a lapse, if any.
    pub handover: Option<Handover>,
    /// The domain (by index) its mail goes through (an MX host's), when that is another
    /// simulated domain: a mail provider's domain.
    pub mail_via: Option<u32>,
}

/// A change of hands (or of registrar) without a lapse (issue 22).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Handover {
    /// An aftermarket sale: on a marketplace's nameservers from `listed`, then moved to the
    /// buyer at `sold` by a transfer (a new registrar; the registration date stays).
    Aftermarket { listed: i64, sold: i64 },
    /// The holder moves the name to another registrar at `at`: legitimate, the false
    /// positive side.
    OwnerTransfer { at: i64 },
}

/// The marketplace's nameserver an aftermarket listing points at (`for_sale` in the
/// shipped classes).
pub const MARKETPLACE_NS: &str = "ns1.dan.com";

/// Who holds the name at `t`, as its record and DNS show it.
struct Holder {
    registrar_id: &'static str,
    transferred_at: Option<i64>,
    nameserver: &'static str,
}

/// Where a lapse stands at a given time (for the baseline's Domainr-like view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Active,
    Grace { dns_cut: bool },
    Redemption,
    PendingDelete,
    Purged,
}

impl SimDomain {
    pub fn lapse_start(&self) -> Option<i64> {
        self.lapse.map(|_| self.expiry)
    }

    /// When the name can change hands: the sale, or the purge. `None` when the lapse ends
    /// with the holder keeping the name.
    pub fn deadline(&self) -> Option<i64> {
        let lapse = self.lapse?;
        match lapse.fate {
            Fate::SoldInGrace(after) => Some(self.expiry + after),
            Fate::Purged { .. } => Some(self.purge_time(lapse)),
            Fate::RenewedInGrace(_) | Fate::Restored(_) => None,
        }
    }

    fn purge_time(&self, lapse: Lapse) -> i64 {
        self.expiry + lapse.grace + REDEMPTION + PENDING_DELETE
    }

    /// The lapse stage at `t`, or `Active` outside a lapse.
    pub fn stage_at(&self, t: i64) -> Stage {
        let Some(lapse) = self.lapse else {
            return Stage::Active;
        };
        let since = t - self.expiry;
        if since < 0 {
            return Stage::Active;
        }
        let ended_by_holder = match lapse.fate {
            Fate::RenewedInGrace(at) | Fate::SoldInGrace(at) | Fate::Restored(at) => since >= at,
            Fate::Purged { .. } => false,
        };
        if ended_by_holder {
            return Stage::Active;
        }
        if since < lapse.grace {
            Stage::Grace {
                dns_cut: lapse.grace - since <= DNS_CUT_BEFORE_DELETE,
            }
        } else if since < lapse.grace + REDEMPTION {
            Stage::Redemption
        } else if since < lapse.grace + REDEMPTION + PENDING_DELETE {
            Stage::PendingDelete
        } else {
            match lapse.fate {
                Fate::Purged {
                    recaught_after: Some(after),
                } if t >= self.purge_time(lapse) + after => Stage::Active,
                _ => Stage::Purged,
            }
        }
    }

    /// What the registry's RDAP server says at `t` (seconds from `start`).
    pub fn answer(&self, t: i64, start: DateTime<Utc>) -> Finding {
        let at = |seconds: i64| start + Duration::seconds(seconds);
        // Registries such as Verisign move the expiry a year ahead on the day it passes.
        let shown_expiry = |from: i64| {
            let mut expiry = self.expiry + self.term_left;
            while expiry <= from {
                expiry += 365 * DAY;
            }
            self.publishes_expiry.then(|| at(expiry))
        };
        let holder = self.holder_at(t);
        let record = |statuses: &[&str], registered: i64, expires: Option<DateTime<Utc>>| {
            Finding::Registered(Registration {
                statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
                registered_at: Some(at(registered)),
                expires_at: expires,
                transferred_at: holder.transferred_at.map(at),
                handle: Some("1-SIM".to_owned()),
                registrar_id: Some(holder.registrar_id.to_owned()),
                nameservers: vec![holder.nameserver.to_owned()],
                ..Registration::default()
            })
        };
        match self.stage_at(t) {
            Stage::Active => {
                let registered = match self.lapse {
                    Some(Lapse {
                        grace,
                        fate:
                            Fate::Purged {
                                recaught_after: Some(after),
                            },
                    }) if t >= self.expiry => {
                        // Drop-caught: a new registration.
                        self.expiry + grace + REDEMPTION + PENDING_DELETE + after
                    }
                    _ => self.registered,
                };
                record(&["client transfer prohibited"], registered, shown_expiry(t))
            }
            Stage::Grace { dns_cut } => {
                let statuses: &[&str] = if dns_cut {
                    &["auto renew period", "client hold"]
                } else {
                    &["auto renew period"]
                };
                record(statuses, self.registered, shown_expiry(t))
            }
            Stage::Redemption => record(
                &["redemption period", "pending delete"],
                self.registered,
                shown_expiry(t),
            ),
            Stage::PendingDelete => record(&["pending delete"], self.registered, shown_expiry(t)),
            Stage::Purged => Finding::Unregistered,
        }
    }
}

impl SimDomain {
    /// Whether the name is in its parent zone at `t`: not on hold at the end of grace, in
    /// redemption, pending delete, nor once purged until somebody registers it again.
    pub fn in_dns(&self, t: i64) -> bool {
        matches!(
            self.stage_at(t),
            Stage::Active | Stage::Grace { dns_cut: false }
        )
    }

    /// Whether the name is in somebody else's hands at `t` (sold in grace, or caught
    /// after the purge): they bring their own name servers.
    fn new_holder(&self, t: i64) -> bool {
        let Some(lapse) = self.lapse else {
            return false;
        };
        match lapse.fate {
            Fate::SoldInGrace(after) => t >= self.expiry + after,
            Fate::Purged {
                recaught_after: Some(after),
            } => t >= self.purge_time(lapse) + after,
            _ => false,
        }
    }

    /// What a resolver says at `t`.
    pub fn delegation(&self, t: i64) -> Delegation {
        if !self.in_dns(t) {
            return Delegation::undelegated();
        }
        Delegation {
            delegated: true,
            nameservers: vec![self.holder_at(t).nameserver.to_owned()],
            mail: Some(true),
            mail_route: None,
        }
    }

    /// The registrar, the latest transfer and the nameserver at `t`: a sale in grace and
    /// an aftermarket sale move the name to another registrar by a transfer and to the
    /// buyer's nameservers; an owner's transfer changes the registrar only.
    fn holder_at(&self, t: i64) -> Holder {
        let old = Holder {
            registrar_id: "1",
            transferred_at: None,
            nameserver: "ns1.old-holder.example",
        };
        let sold = |at: i64| Holder {
            registrar_id: "2",
            transferred_at: Some(at),
            nameserver: "ns1.new-holder.example",
        };
        if let Some(Lapse {
            fate: Fate::SoldInGrace(after),
            ..
        }) = self.lapse
            && t >= self.expiry + after
        {
            return sold(self.expiry + after);
        }
        if self.new_holder(t) {
            return Holder {
                nameserver: "ns1.new-holder.example",
                ..old
            };
        }
        match self.handover {
            Some(Handover::Aftermarket { sold: at, .. }) if t >= at => sold(at),
            Some(Handover::Aftermarket { listed, .. }) if t >= listed => Holder {
                nameserver: MARKETPLACE_NS,
                ..old
            },
            Some(Handover::OwnerTransfer { at }) if t >= at => Holder {
                registrar_id: "2",
                transferred_at: Some(at),
                ..old
            },
            _ => old,
        }
    }

    /// When the name reaches somebody new without a lapse (an aftermarket sale).
    pub fn handover_deadline(&self) -> Option<i64> {
        match self.handover {
            Some(Handover::Aftermarket { sold, .. }) => Some(sold),
            _ => None,
        }
    }
}

/// The knobs of the simulated population.
#[derive(Debug, Clone, Copy)]
pub struct Population<'a> {
    pub domains: u32,
    pub days: u32,
    /// Share of domains not renewed at their expiry.
    pub lapse_rate: f64,
    /// Share of domains whose registry publishes no expiry date.
    pub no_expiry_share: f64,
    /// Share of domains their holder deletes before expiry during the period (straight
    /// into redemption, then pending delete and purge).
    pub early_deletion_rate: f64,
    /// Share of domains on TLDs with no RDAP server.
    pub dns_only_share: f64,
    /// Share of each RDAP host, in host order.
    pub host_shares: &'a [f64],
}

/// Gives domains without a lapse, on TLDs with RDAP, a change of hands without one: a
/// share `aftermarket` is listed on a marketplace for 2 to 12 weeks and then sold, a
/// share `owner_transfers` moves to another registrar, each at a uniform time in the
/// period. Drawn from its own generator, so the lapses of a seed stay as they were.
pub fn assign_handovers(
    domains: &mut [SimDomain],
    days: u32,
    aftermarket: f64,
    owner_transfers: f64,
    rng: &mut Rng,
) {
    let span = i64::from(days) * DAY;
    for domain in domains.iter_mut() {
        let draw = rng.unit();
        let at = (rng.unit() * span as f64) as i64;
        let listed_for = (rng.between(14.0, 84.0) * DAY as f64) as i64;
        if domain.lapse.is_some() || domain.dns_only {
            continue;
        }
        domain.handover = if draw < aftermarket {
            Some(Handover::Aftermarket {
                listed: at - listed_for,
                sold: at,
            })
        } else if draw < aftermarket + owner_transfers {
            Some(Handover::OwnerTransfer { at })
        } else {
            None
        };
    }
}

/// Gives a share `routed` of domains a mail provider: another simulated domain, drawn
/// uniformly, whose MX hosts their mail goes through (`mail_route_lapsed` watches it).
/// From its own generator, so the lapses and handovers of a seed stay as they were.
pub fn assign_mail_routes(domains: &mut [SimDomain], routed: f64, rng: &mut Rng) {
    let count = domains.len();
    for (index, domain) in domains.iter_mut().enumerate() {
        let draw = rng.unit();
        let provider = ((rng.unit() * count as f64) as usize).min(count - 1);
        if draw < routed && provider != index {
            domain.mail_via = u32::try_from(provider).ok();
        }
    }
}

/// Shares of lapse outcomes (the rest is purged). Only gTLD-style registries (the ones
/// with RDAP here) let registrars sell a name during auto-renew grace: the ccTLDs without
/// RDAP that the reference describes hold a lapsed name for its last holder out of the
/// zone (.eu's and .nl's quarantine, .de's redemption grace), so a DNS-only domain's lapse
/// is never a sale in grace.
const RENEWED_IN_GRACE: f64 = 0.25;
const SOLD_IN_GRACE: f64 = 0.30; // of lapses whose grace lasts 30 days or more
const RESTORED: f64 = 0.10;
const DROP_CAUGHT: f64 = 0.30;

/// Draws the population for a seed.
pub fn population(params: &Population<'_>, rng: &mut Rng) -> Vec<SimDomain> {
    let span = i64::from(params.days) * DAY;
    (0..params.domains)
        .map(|_| {
            let pick = rng.unit();
            let mut cumulative = 0.0;
            let host = params
                .host_shares
                .iter()
                .position(|share| {
                    cumulative += share;
                    pick < cumulative
                })
                .unwrap_or(params.host_shares.len() - 1);
            let registered = -(rng.between(1.0, 3650.0) * DAY as f64) as i64;
            let expiry = (rng.unit() * span as f64) as i64;
            let publishes_expiry = rng.unit() >= params.no_expiry_share;
            let dns_only = rng.unit() < params.dns_only_share;
            if rng.unit() < params.early_deletion_rate {
                // Deleted by the holder: no grace; restored now and then, else purged.
                let term_left = (rng.between(30.0, 365.0) * DAY as f64) as i64;
                let fate = if rng.unit() < RESTORED {
                    Fate::Restored((rng.unit() * REDEMPTION as f64) as i64)
                } else {
                    let recaught_after =
                        (rng.unit() < DROP_CAUGHT).then(|| (rng.between(1.0, 30.0) * 60.0) as i64);
                    Fate::Purged { recaught_after }
                };
                return SimDomain {
                    host,
                    dns_only,
                    registered,
                    expiry,
                    term_left,
                    publishes_expiry,
                    lapse: Some(Lapse { grace: 0, fate }),
                    handover: None,
                    mail_via: None,
                };
            }
            let lapse = (rng.unit() < params.lapse_rate).then(|| {
                let grace = (rng.between(0.0, GRACE_MAX_DAYS) * DAY as f64) as i64;
                let draw = rng.unit();
                let fate = if draw < RENEWED_IN_GRACE && grace > 0 {
                    Fate::RenewedInGrace((rng.unit() * grace as f64) as i64)
                } else if grace >= 30 * DAY && !dns_only && draw < RENEWED_IN_GRACE + SOLD_IN_GRACE
                {
                    Fate::SoldInGrace((rng.between(30.0 * DAY as f64, grace as f64)) as i64)
                } else if rng.unit() < RESTORED {
                    Fate::Restored(grace + (rng.unit() * REDEMPTION as f64) as i64)
                } else {
                    let recaught_after =
                        (rng.unit() < DROP_CAUGHT).then(|| (rng.between(1.0, 30.0) * 60.0) as i64);
                    Fate::Purged { recaught_after }
                };
                Lapse { grace, fate }
            });
            SimDomain {
                host,
                dns_only,
                registered,
                expiry,
                term_left: 0,
                publishes_expiry,
                lapse,
                handover: None,
                mail_via: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::Lifecycle;
    use crate::domain::name::RegistrableDomain;
    use crate::domain::status::Observation;

    fn lifecycle(domain: &SimDomain, t: i64) -> Option<Lifecycle> {
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
        Observation {
            domain: RegistrableDomain::parse("sim.com").expect("valid"),
            source: crate::domain::status::EvidenceSource::Rdap,
            observed_at: start + Duration::seconds(t),
            http_status: Some(200),
            finding: domain.answer(t, start),
            host: None,
            routes: None,
        }
        .lifecycle()
    }

    #[test]
    fn a_purged_lapse_walks_the_gtld_lifecycle_and_is_drop_caught() {
        let domain = SimDomain {
            host: 0,
            dns_only: false,
            registered: -1000 * DAY,
            expiry: 10 * DAY,
            term_left: 0,
            publishes_expiry: true,
            handover: None,
            mail_via: None,
            lapse: Some(Lapse {
                grace: 20 * DAY,
                fate: Fate::Purged {
                    recaught_after: Some(600),
                },
            }),
        };
        let walk: Vec<Option<Lifecycle>> = [5, 11, 25, 31, 61]
            .iter()
            .map(|day| day * DAY)
            .chain([65 * DAY + 300])
            .map(|t| lifecycle(&domain, t))
            .collect();
        use Lifecycle::*;
        assert_eq!(
            walk,
            [
                Some(Active),
                Some(AutoRenewGrace),
                Some(AutoRenewGrace),
                Some(Redemption),
                Some(PendingDelete),
                Some(Unregistered)
            ]
        );
        assert_eq!(domain.deadline(), Some(65 * DAY));
        assert_eq!(lifecycle(&domain, 65 * DAY + 700), Some(Active));
        // DNS: in the zone until the last 8 days of grace, out until caught, then back
        // with a new holder's name servers.
        let old = domain.delegation(5 * DAY);
        assert!(old.delegated);
        assert!(domain.delegation(21 * DAY).delegated);
        assert!(!domain.delegation(23 * DAY).delegated);
        assert!(!domain.delegation(61 * DAY).delegated);
        let new = domain.delegation(65 * DAY + 700);
        assert!(new.delegated && new.differs_from(&old));
    }

    #[test]
    fn the_same_seed_draws_the_same_population() {
        let params = Population {
            domains: 1000,
            days: 365,
            lapse_rate: 0.05,
            no_expiry_share: 0.03,
            early_deletion_rate: 0.01,
            dns_only_share: 0.2,
            host_shares: &[0.6, 0.4],
        };
        let a = population(&params, &mut Rng::new(7));
        let b = population(&params, &mut Rng::new(7));
        assert_eq!(a, b);
        let lapsing = a.iter().filter(|d| d.lapse.is_some()).count();
        assert!((40..90).contains(&lapsing), "{lapsing}");
        let early = a.iter().filter(|d| d.term_left > 0).count();
        assert!((3..25).contains(&early), "{early}");
        let dns_only = a.iter().filter(|d| d.dns_only).count();
        assert!((150..250).contains(&dns_only), "{dns_only}");
    }
}
