//! The warranty verdict, straight from the shop's policy:
//! a 1-year guarantee starting 5 days after dispatch, for phones and tablets sold by the shop.

use std::fmt;

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;
use thiserror::Error;

/// Days between dispatch and the start of the guarantee (policy: "effective from 5 days
/// after the date when we dispatch your goods").
pub const START_AFTER_DISPATCH_DAYS: u64 = 5;

/// What the shop sold, as recorded in the sales registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A smartphone: covered.
    Phone,
    /// A tablet: covered.
    Tablet,
    /// A supplied accessory or wear part sold on its own: not covered.
    Accessory,
    /// A separately bought hardware component: not covered.
    Component,
}

/// Which part of the device the customer reports as faulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The phone or tablet itself.
    Device,
    /// The battery (a wear part: not covered).
    Battery,
    /// The charger (a supplied accessory: not covered).
    Charger,
    /// The USB cable (a supplied accessory: not covered).
    Cable,
    /// The headphones (a supplied accessory: not covered).
    Headphones,
    /// Another supplied accessory: not covered.
    Accessory,
    /// A separately bought component (speaker, microphone, display): not covered.
    Component,
    /// Software or operating system problems: not covered.
    Software,
}

/// Why a guarantee is void (policy: incorrect use, unauthorised software, willful or
/// accidental damage, theft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    /// Damaged by being dropped.
    Dropped,
    /// Water damage.
    WaterDamage,
    /// Unauthorised changes to software or the OS.
    UnauthorisedSoftware,
    /// Willful or accidental damage.
    WillfulDamage,
    /// Theft of the device.
    Theft,
}

/// Why something is not covered at all (policy, second and third clauses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Supplied accessories and wear parts: batteries, chargers, cables, headphones.
    Accessory,
    /// Separately bought hardware components: speakers, microphones, displays.
    Component,
    /// Software or operating system problems.
    Software,
}

/// What the shop's policy says about a claim; only covered and delivery damage open a case
/// without goodwill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Within the 1-year guarantee.
    Covered,
    /// Claimed before the guarantee starts: damage in transit, covered, keep the packaging.
    DeliveryDamage,
    /// Claimed after the guarantee ended.
    Expired,
    /// The IMEI is not in the sales registry: always refused.
    NotSoldByUs,
    /// The part or what was sold is excluded by the policy.
    NotCovered(Exclusion),
    /// The guarantee is void (incorrect use, damage, unauthorised software, theft).
    Void(VoidReason),
}

/// A name typed for a category, part, void reason or exclusion that is not one of them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} {value:?} is not known: use one of {options}")]
pub struct UnknownName {
    /// What was being named ("part", "void reason").
    pub what: &'static str,
    /// What was typed, cut to 40 characters.
    pub value: String,
    /// The names that would have been accepted, comma-separated.
    pub options: &'static str,
}

macro_rules! names {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            #[doc = concat!("Every ", $what, " there is.")]
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The snake_case name used in JSON, the database and the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            #[doc = concat!(
                "Read a ", $what, " as typed: any case, dashes or spaces for underscores."
            )]
            pub fn parse(s: &str) -> Result<$ty, UnknownName> {
                let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match norm.as_str() {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        value: s.chars().take(40).collect(),
                        options: concat!($($name, ", "),+).trim_end_matches(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(Category, "category", {
    Phone => "phone", Tablet => "tablet", Accessory => "accessory", Component => "component",
});
names!(Part, "part", {
    Device => "device", Battery => "battery", Charger => "charger", Cable => "cable",
    Headphones => "headphones", Accessory => "accessory", Component => "component",
    Software => "software",
});
names!(VoidReason, "void reason", {
    Dropped => "dropped", WaterDamage => "water_damage",
    UnauthorisedSoftware => "unauthorised_software", WillfulDamage => "willful_damage",
    Theft => "theft",
});
names!(Exclusion, "exclusion", {
    Accessory => "accessory", Component => "component", Software => "software",
});

impl VoidReason {
    /// How staff read it on a card or a bill.
    pub fn describe(self) -> &'static str {
        match self {
            VoidReason::Dropped => "damaged by being dropped",
            VoidReason::WaterDamage => "water damage",
            VoidReason::UnauthorisedSoftware => "unauthorised changes to software or OS",
            VoidReason::WillfulDamage => "willful or accidental damage",
            VoidReason::Theft => "theft",
        }
    }
}

impl Exclusion {
    /// Why the policy leaves it out, in the verdict's sentence.
    pub fn reason(self) -> &'static str {
        match self {
            Exclusion::Accessory => {
                "Supplied accessories and wear parts (batteries, chargers, cables, headphones) are not covered."
            }
            Exclusion::Component => {
                "Separately bought hardware components (speakers, microphones, displays) are not covered."
            }
            Exclusion::Software => "Software and operating system problems are not covered.",
        }
    }
}

/// The sentence of a claim whose IMEI is not in the sales registry.
const NOT_SOLD_BY_US: &str =
    "This IMEI is not in our sales registry: we only accept devices sold by our shop.";

impl Verdict {
    /// The verdict's sentence in the words [`assess`] uses, without the guarantee's
    /// dates: for a verdict read back from the history (which keeps its name, not its
    /// sentence) when the claim's dates no longer give it.
    pub fn undated_reason(self) -> String {
        match self {
            Verdict::Covered => "Covered by the 1-year guarantee.".into(),
            Verdict::DeliveryDamage => "Claimed before the guarantee started: damage in transit is covered; the customer must keep the original packaging.".into(),
            Verdict::Expired => "The guarantee had ended when the claim was made.".into(),
            Verdict::NotSoldByUs => NOT_SOLD_BY_US.into(),
            Verdict::NotCovered(e) => e.reason().into(),
            Verdict::Void(r) => format!("The guarantee is void: {}.", r.describe()),
        }
    }

    /// The snake_case name used in JSON, the database and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Covered => "covered",
            Verdict::DeliveryDamage => "delivery_damage",
            Verdict::Expired => "expired",
            Verdict::NotSoldByUs => "not_sold_by_us",
            Verdict::NotCovered(_) => "not_covered",
            Verdict::Void(_) => "void",
        }
    }

    /// The structured detail stored beside the name (exclusion or void reason).
    pub fn detail(self) -> Option<&'static str> {
        match self {
            Verdict::NotCovered(e) => Some(e.as_str()),
            Verdict::Void(r) => Some(r.as_str()),
            _ => None,
        }
    }

    /// Rebuild from the stored name and detail.
    pub fn from_parts(name: &str, detail: Option<&str>) -> Option<Verdict> {
        Some(match name {
            "covered" => Verdict::Covered,
            "delivery_damage" => Verdict::DeliveryDamage,
            "expired" => Verdict::Expired,
            "not_sold_by_us" => Verdict::NotSoldByUs,
            "not_covered" => Verdict::NotCovered(Exclusion::parse(detail?).ok()?),
            "void" => Verdict::Void(VoidReason::parse(detail?).ok()?),
            _ => return None,
        })
    }

    /// Whether a case may be opened on this verdict without a goodwill override.
    pub fn accepts_repair(self) -> bool {
        matches!(self, Verdict::Covered | Verdict::DeliveryDamage)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The registry facts a verdict needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoldItem {
    /// What kind of thing was sold.
    pub category: Category,
    /// The day the shop dispatched it; the guarantee starts 5 days later.
    pub dispatched_on: NaiveDate,
}

/// The guarantee's first and last day, both inclusive.
///
/// Leap-day rule: the year is added as a calendar year; a start on 29 February ends on
/// 28 February of the next year (one year later, clamped to the end of the month), so a
/// dispatch on 24 Feb 2024 starts 29 Feb 2024 and ends 28 Feb 2025, as the policy's
/// `dispatched_on + 5 days + 1 year` reads.
pub fn guarantee_period(dispatched_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = dispatched_on
        .checked_add_days(Days::new(START_AFTER_DISPATCH_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let end = start
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX);
    (start, end)
}

/// A warranty verdict with its reason and the guarantee's dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The verdict.
    pub verdict: Verdict,
    /// One sentence for staff and customer.
    pub reason: String,
    /// The guarantee's first day; `None` when the IMEI is not in the sales registry.
    pub starts_on: Option<NaiveDate>,
    /// The guarantee's last day (inclusive); `None` when the IMEI is not in the sales registry.
    pub ends_on: Option<NaiveDate>,
}

/// A claim the verdict cannot be given for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarrantyError {
    /// The claim is dated before the device was dispatched: one of the dates is wrong.
    #[error(
        "the claim date {claimed} is before the device was dispatched on {dispatched}: check the date"
    )]
    ClaimBeforeDispatch {
        /// The claim date given.
        claimed: NaiveDate,
        /// The dispatch date in the sales registry.
        dispatched: NaiveDate,
    },
}

/// The verdict for a claim made `on` a day, for the reported `part`, with a void reason if
/// one was found at intake or inspection.
///
/// Order of the rules: not sold by us, then void, then exclusions (part or what was sold),
/// then the dates. An excluded part is never covered, however fresh the sale.
pub fn assess(
    sold: Option<SoldItem>,
    on: NaiveDate,
    part: Part,
    void: Option<VoidReason>,
) -> Result<Assessment, WarrantyError> {
    let Some(sold) = sold else {
        return Ok(Assessment {
            verdict: Verdict::NotSoldByUs,
            reason: NOT_SOLD_BY_US.into(),
            starts_on: None,
            ends_on: None,
        });
    };
    if on < sold.dispatched_on {
        return Err(WarrantyError::ClaimBeforeDispatch {
            claimed: on,
            dispatched: sold.dispatched_on,
        });
    }
    let (start, end) = guarantee_period(sold.dispatched_on);
    let with_dates = |verdict, reason: String| Assessment {
        verdict,
        reason,
        starts_on: Some(start),
        ends_on: Some(end),
    };

    if let Some(r) = void {
        return Ok(with_dates(
            Verdict::Void(r),
            format!("The guarantee is void: {}.", r.describe()),
        ));
    }
    let exclusion = match (part, sold.category) {
        (Part::Software, _) => Some(Exclusion::Software),
        (Part::Battery | Part::Charger | Part::Cable | Part::Headphones | Part::Accessory, _)
        | (_, Category::Accessory) => Some(Exclusion::Accessory),
        (Part::Component, _) | (_, Category::Component) => Some(Exclusion::Component),
        (Part::Device, Category::Phone | Category::Tablet) => None,
    };
    if let Some(e) = exclusion {
        return Ok(with_dates(Verdict::NotCovered(e), e.reason().into()));
    }
    Ok(if on < start {
        with_dates(
            Verdict::DeliveryDamage,
            format!(
                "Claimed before the guarantee starts on {start}: damage in transit is covered; the customer must keep the original packaging."
            ),
        )
    } else if on <= end {
        with_dates(
            Verdict::Covered,
            format!("Covered by the 1-year guarantee ({start} to {end})."),
        )
    } else {
        with_dates(Verdict::Expired, format!("The guarantee ended on {end}."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn phone(dispatched: &str) -> Option<SoldItem> {
        Some(SoldItem {
            category: Category::Phone,
            dispatched_on: d(dispatched),
        })
    }

    fn verdict(sold: Option<SoldItem>, on: &str, part: Part) -> Verdict {
        assess(sold, d(on), part, None).unwrap().verdict
    }

    #[test]
    fn a_verdict_without_its_dates_is_still_said_in_words() {
        let mut all = vec![
            Verdict::Covered,
            Verdict::DeliveryDamage,
            Verdict::Expired,
            Verdict::NotSoldByUs,
        ];
        all.extend(Exclusion::ALL.iter().map(|&e| Verdict::NotCovered(e)));
        all.extend(VoidReason::ALL.iter().map(|&r| Verdict::Void(r)));
        for v in all {
            let said = v.undated_reason();
            assert!(
                said.starts_with(char::is_uppercase) && said.ends_with('.'),
                "{said}"
            );
            let label = format!("{v}:{}", v.detail().unwrap_or_default());
            assert!(
                !said.contains('_') && !said.contains(&label),
                "{v:?}: {said}"
            );
        }
        // Where the rules need no dates, the same words as theirs.
        let sold = phone("2026-03-10");
        for (part, void) in [
            (Part::Software, None),
            (Part::Charger, None),
            (Part::Device, Some(VoidReason::WaterDamage)),
        ] {
            let a = assess(sold, d("2026-04-01"), part, void).unwrap();
            assert_eq!(a.verdict.undated_reason(), a.reason);
        }
        let a = assess(None, d("2026-04-01"), Part::Device, None).unwrap();
        assert_eq!(a.verdict.undated_reason(), a.reason);
    }

    #[test]
    fn guarantee_starts_five_days_after_dispatch_and_lasts_a_year() {
        assert_eq!(
            guarantee_period(d("2026-03-10")),
            (d("2026-03-15"), d("2027-03-15"))
        );
    }

    #[test]
    fn boundary_days() {
        let sold = phone("2026-03-10");
        assert_eq!(
            verdict(sold, "2026-03-10", Part::Device),
            Verdict::DeliveryDamage
        );
        assert_eq!(
            verdict(sold, "2026-03-14", Part::Device),
            Verdict::DeliveryDamage
        );
        assert_eq!(verdict(sold, "2026-03-15", Part::Device), Verdict::Covered);
        assert_eq!(verdict(sold, "2027-03-15", Part::Device), Verdict::Covered);
        assert_eq!(verdict(sold, "2027-03-16", Part::Device), Verdict::Expired);
    }

    #[test]
    fn leap_year_dispatch_from_the_domain() {
        // 24 Feb 2024 + 5 days = 29 Feb 2024 (a leap day); one year later is 28 Feb 2025.
        let (start, end) = guarantee_period(d("2024-02-24"));
        assert_eq!(start, d("2024-02-29"));
        assert_eq!(end, d("2025-02-28"));
        let sold = phone("2024-02-24");
        assert_eq!(
            verdict(sold, "2024-02-28", Part::Device),
            Verdict::DeliveryDamage
        );
        assert_eq!(verdict(sold, "2024-02-29", Part::Device), Verdict::Covered);
        assert_eq!(verdict(sold, "2025-02-28", Part::Device), Verdict::Covered);
        assert_eq!(verdict(sold, "2025-03-01", Part::Device), Verdict::Expired);
    }

    #[test]
    fn a_guarantee_running_into_a_leap_day() {
        // Starts 1 Mar 2023, ends 1 Mar 2024; 29 Feb 2024 is inside.
        let sold = phone("2023-02-24");
        assert_eq!(guarantee_period(d("2023-02-24")).1, d("2024-03-01"));
        assert_eq!(verdict(sold, "2024-02-29", Part::Device), Verdict::Covered);
        assert_eq!(verdict(sold, "2024-03-02", Part::Device), Verdict::Expired);
    }

    #[test]
    fn delivery_damage_asks_for_the_packaging() {
        let a = assess(phone("2026-03-10"), d("2026-03-11"), Part::Device, None).unwrap();
        assert!(a.reason.contains("original packaging"), "{}", a.reason);
        assert!(a.verdict.accepts_repair());
    }

    #[test]
    fn not_sold_by_us_has_no_dates() {
        let a = assess(None, d("2026-03-11"), Part::Device, None).unwrap();
        assert_eq!(a.verdict, Verdict::NotSoldByUs);
        assert_eq!((a.starts_on, a.ends_on), (None, None));
        assert!(!a.verdict.accepts_repair());
    }

    #[test]
    fn tablets_are_covered_like_phones() {
        let sold = Some(SoldItem {
            category: Category::Tablet,
            dispatched_on: d("2026-01-01"),
        });
        assert_eq!(verdict(sold, "2026-06-01", Part::Device), Verdict::Covered);
    }

    #[test]
    fn accessories_and_wear_parts_are_not_covered() {
        let sold = phone("2026-01-01");
        for part in [
            Part::Battery,
            Part::Charger,
            Part::Cable,
            Part::Headphones,
            Part::Accessory,
        ] {
            assert_eq!(
                verdict(sold, "2026-06-01", part),
                Verdict::NotCovered(Exclusion::Accessory),
                "{part}"
            );
        }
        let sold_accessory = Some(SoldItem {
            category: Category::Accessory,
            dispatched_on: d("2026-01-01"),
        });
        assert_eq!(
            verdict(sold_accessory, "2026-06-01", Part::Device),
            Verdict::NotCovered(Exclusion::Accessory)
        );
    }

    #[test]
    fn separately_bought_components_are_not_covered() {
        assert_eq!(
            verdict(phone("2026-01-01"), "2026-06-01", Part::Component),
            Verdict::NotCovered(Exclusion::Component)
        );
        let sold_component = Some(SoldItem {
            category: Category::Component,
            dispatched_on: d("2026-01-01"),
        });
        assert_eq!(
            verdict(sold_component, "2026-06-01", Part::Device),
            Verdict::NotCovered(Exclusion::Component)
        );
    }

    #[test]
    fn software_is_not_covered_even_on_day_one() {
        assert_eq!(
            verdict(phone("2026-01-01"), "2026-01-02", Part::Software),
            Verdict::NotCovered(Exclusion::Software)
        );
    }

    #[test]
    fn void_reasons_win_over_dates() {
        for r in VoidReason::ALL {
            let a = assess(phone("2026-01-01"), d("2026-06-01"), Part::Device, Some(*r)).unwrap();
            assert_eq!(a.verdict, Verdict::Void(*r));
            assert!(a.reason.starts_with("The guarantee is void"));
            assert_eq!(a.ends_on, Some(d("2027-01-06")));
        }
    }

    #[test]
    fn a_claim_before_dispatch_is_an_input_error() {
        let err = assess(phone("2026-01-10"), d("2026-01-09"), Part::Device, None).unwrap_err();
        assert!(err.to_string().contains("before the device was dispatched"));
    }

    #[test]
    fn names_round_trip_and_explain_themselves() {
        for v in [
            Verdict::Covered,
            Verdict::DeliveryDamage,
            Verdict::Expired,
            Verdict::NotSoldByUs,
            Verdict::NotCovered(Exclusion::Software),
            Verdict::Void(VoidReason::WaterDamage),
        ] {
            assert_eq!(Verdict::from_parts(v.as_str(), v.detail()), Some(v));
        }
        assert_eq!(Part::parse("Headphones"), Ok(Part::Headphones));
        assert_eq!(
            VoidReason::parse("water-damage"),
            Ok(VoidReason::WaterDamage)
        );
        let err = Part::parse("screen").unwrap_err();
        assert_eq!(
            err.to_string(),
            "part \"screen\" is not known: use one of device, battery, charger, cable, headphones, accessory, component, software"
        );
    }

    #[test]
    fn the_far_future_does_not_overflow() {
        let (start, end) = guarantee_period(NaiveDate::MAX);
        assert_eq!((start, end), (NaiveDate::MAX, NaiveDate::MAX));
    }
}
