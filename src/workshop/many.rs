//! One move on several cases at once (the board's marked cards): all of them move in one
//! transaction, or none does and each refusing case is named. Bills issued by a ship get
//! their PDFs afterwards, as for one case.

use super::{Moved, Workshop};
use crate::domain::case::Change;
use crate::store::ManyError;

impl Workshop {
    /// Apply `change` to every case in `cases` (row id, version as the user saw it), in
    /// one transaction. The answers come in the order of `cases`.
    pub fn apply_many(
        &mut self,
        cases: &[(i64, i64)],
        change: &Change,
    ) -> Result<Vec<Moved>, ManyError> {
        let at = self.now();
        let done = self
            .store
            .apply_many(cases, change, &self.setup.user, at, &self.paperwork)?;
        Ok(done
            .into_iter()
            .map(|d| Moved {
                before: d.before,
                bill: d.bill.map(|bill| self.write_bill(bill)),
                case: d.case,
            })
            .collect())
    }
}
