//! Colours and emphasis. Under `NO_COLOR` every colour is dropped here, while bold and
//! reverse video stay, so the selection and late cards still read on a monochrome screen.

use ratatui::style::{Color, Modifier, Style};

/// The board's styles, with or without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colours on.
    pub fn colored() -> Theme {
        Theme { color: true }
    }

    /// No colours (`NO_COLOR`): bold and reverse video only.
    pub fn plain() -> Theme {
        Theme { color: false }
    }

    /// `NO_COLOR` set to anything but the empty string turns colour off (no-color.org).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::plain(),
            _ => Theme::colored(),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Ordinary text.
    pub fn base(&self) -> Style {
        Style::new()
    }

    /// The selected card or line: reverse video, which reads without colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A card late on its stage's clock.
    pub fn late(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A pane tab whose pane holds late cases.
    pub fn attention(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Secondary text: hints, older history.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Pane and overlay borders.
    pub fn border(&self) -> Style {
        self.dim()
    }

    /// The border of the pane with the focus.
    pub fn focused_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Titles and headings.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Field labels.
    pub fn label(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// Key names in the help and hints.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// A refusal or an error message.
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Good news: a verdict that accepts the repair, a message that something worked.
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Something to heed before saving: a verdict that refuses, a read-only database.
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The status bar.
    pub fn status(&self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
}
