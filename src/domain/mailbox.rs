//! Email addresses as the shop writes them in its config (`Name <address>`) and as the
//! sales registry holds them: checked once, so only a checked address ever reaches a
//! mail header.

use thiserror::Error;

/// A sender or recipient: an optional display name and a checked address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Shown by mail programs instead of the address ("CECT-SHOP Kundendienst Zürich");
    /// any script, kept as typed (cleaned of control characters).
    pub name: Option<String>,
    /// `local@domain`, plain ASCII (see [`checked_address`]).
    pub address: String,
}

/// Why a configured address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MailboxError {
    /// Not an address (nor `Name <address>`); holds what was typed.
    #[error(
        "{0:?} is not an email address like support@shop.example or Shop Support <support@shop.example>"
    )]
    NotAnAddress(String),
    /// `Name <address` with the closing `>` missing; holds what was typed.
    #[error("{0:?} has a < without its >: write Name <address>")]
    Unclosed(String),
}

impl Mailbox {
    /// `address`, `Name <address>` or `"Name, with comma" <address>`.
    pub fn parse(raw: &str) -> Result<Mailbox, MailboxError> {
        let text = crate::domain::text::clean_line(raw);
        let text = text.trim();
        let bad = || MailboxError::NotAnAddress(text.chars().take(80).collect());
        let Some(open) = text.rfind('<') else {
            let address = checked_address(text).ok_or_else(bad)?;
            return Ok(Mailbox {
                name: None,
                address,
            });
        };
        let rest = &text[open + 1..];
        let Some(inner) = rest.strip_suffix('>') else {
            return Err(MailboxError::Unclosed(text.chars().take(80).collect()));
        };
        let address = checked_address(inner).ok_or_else(bad)?;
        let name = text[..open].trim();
        // A quoted display name keeps what is inside the quotes.
        let name = name
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .unwrap_or(name)
            .replace(['"', '\\'], "");
        let name = name.trim();
        Ok(Mailbox {
            name: (!name.is_empty()).then(|| name.to_string()),
            address,
        })
    }
}

/// An email address safe to put in a header: one `@`, no spaces, quotes, angle
/// brackets, commas or control characters, a dot in the domain. Anything else is not
/// used.
pub fn checked_address(raw: &str) -> Option<String> {
    let a = raw.trim();
    let (local, domain) = a.split_once('@')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    };
    (ok(local) && ok(domain) && !domain.contains('@') && domain.contains('.') && a.len() <= 254)
        .then(|| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_script_and_with_commas() {
        let m =
            Mailbox::parse("CECT-SHOP Kundendienst Zürich <support@cect-shop.example>").unwrap();
        assert_eq!(m.name.as_deref(), Some("CECT-SHOP Kundendienst Zürich"));
        assert_eq!(m.address, "support@cect-shop.example");
        let m = Mailbox::parse("\"Service, Łódź\" <serwis@shop.example>").unwrap();
        assert_eq!(m.name.as_deref(), Some("Service, Łódź"));
        let m = Mailbox::parse("  support@shop.example ").unwrap();
        assert_eq!((m.name, m.address.as_str()), (None, "support@shop.example"));
        let m = Mailbox::parse("<support@shop.example>").unwrap();
        assert_eq!(m.name, None);
    }

    #[test]
    fn what_is_not_an_address_is_said() {
        for bad in [
            "",
            "support",
            "a b@shop.example",
            "Shop <support@shop>",
            "x@y@z.example",
        ] {
            assert!(Mailbox::parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Mailbox::parse("Shop <support@shop.example"),
            Err(MailboxError::Unclosed(_))
        ));
    }
}
