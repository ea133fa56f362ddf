//! The cases behind the board's marked cards, read again after a refresh: a marked case
//! that someone else moved out of its pane is unmarked and named.

use super::cases::read_case;
use super::{Store, StoreError};
use crate::domain::case::Case;

impl Store {
    /// The cases with these row ids, as they are now; ids with no case are left out.
    pub fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>, StoreError> {
        ids.iter()
            .filter_map(|&id| match read_case(&self.conn, id) {
                Err(StoreError::NotFound(_)) => None,
                other => Some(other),
            })
            .collect()
    }
}
