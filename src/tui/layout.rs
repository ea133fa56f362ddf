//! How the screen is divided. Both the app (to know how many cards to load) and the views
//! (to draw them) ask here, so they always agree.

use ratatui::layout::Rect;

/// Narrowest a pane may be before the board switches to one focused pane with tabs.
pub const MIN_PANE_WIDTH: u16 = 28;
/// The Requests pane is shown beside the stages' panes from this width...
pub const MIN_REQUESTS_WIDTH: u16 = 20;
/// ...and is never wider than this.
pub const MAX_REQUESTS_WIDTH: u16 = 32;
/// Inner width from which a card fits on one line.
pub const ONE_LINE_CARD: u16 = 46;
/// Below this the board asks for a larger terminal instead of drawing.
pub const MIN_WIDTH: u16 = 40;
/// Below this many rows the board asks for a larger terminal instead of drawing.
pub const MIN_HEIGHT: u16 = 10;
/// Message line and status line.
pub const BOTTOM_LINES: u16 = 2;

/// How the panes fit the terminal: side by side or tabs, and how many cards each shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardGeometry {
    /// One focused pane with a row of tabs, rather than panes side by side.
    pub tabs: bool,
    /// Lines per card: 1 when a pane is wide enough, else 2.
    pub card_lines: u16,
    /// Cards that fit in a pane.
    pub rows: usize,
}

/// Whether the terminal is too small to draw the board.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The geometry for a terminal of `width` x `height` showing `panes` panes.
pub fn board_geometry(width: u16, height: u16, panes: usize) -> BoardGeometry {
    let panes = panes.max(1) as u16;
    let tabs = width / panes < MIN_PANE_WIDTH;
    let pane_width = if tabs { width } else { width / panes };
    let inner_width = pane_width.saturating_sub(2);
    let card_lines = if inner_width >= ONE_LINE_CARD { 1 } else { 2 };
    let chrome = BOTTOM_LINES + 2 + u16::from(tabs);
    let inner_height = height.saturating_sub(chrome);
    BoardGeometry {
        tabs,
        card_lines,
        rows: usize::from((inner_height / card_lines).max(1)),
    }
}

/// A box of at most `w` x `h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_screens_get_tabs_wide_ones_get_panes() {
        let g = board_geometry(80, 24, 5);
        assert!(g.tabs);
        assert_eq!(g.card_lines, 1);
        assert_eq!(g.rows, 19);
        let g = board_geometry(160, 45, 5);
        assert!(!g.tabs);
        assert_eq!(g.card_lines, 2);
        assert_eq!(g.rows, 20);
        let g = board_geometry(250, 45, 5);
        assert_eq!(g.card_lines, 1);
        assert_eq!(board_geometry(1, 1, 5).rows, 1);
    }
}
