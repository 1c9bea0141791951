//! APPLICATION BLOCK / UNBLOCK (profile.md §5), MAC'd under STK's process key.

use sscard_apdu::commands;
use sscard_specs::DfId;

use super::Session;
use crate::error::Result;
use crate::transport::Transport;

impl<T: Transport> Session<T> {
    /// APPLICATION BLOCK (`84 1E 00 P2 04 MAC`): temporary (`P2 = 00`) or permanent (`01`).
    /// A temporarily blocked SSSE answers SELECT with `6283` and refuses reads until unblocked.
    pub fn block_application(&mut self, permanent: bool) -> Result<()> {
        self.ensure_card_id()?;
        self.select_df(DfId::Ssse)?;
        self.send_maced(commands::application_block(permanent), "APPLICATION BLOCK")?;
        self.app_blocked = true;
        Ok(())
    }

    /// APPLICATION UNBLOCK (`84 18 00 00 04 MAC`). On a blocked application the card
    /// identification code cannot be read: give it with [`Session::set_card_id`] first.
    pub fn unblock_application(&mut self) -> Result<()> {
        self.ensure_card_id()?;
        self.select_df(DfId::Ssse)?;
        self.send_maced(commands::application_unblock(), "APPLICATION UNBLOCK")?;
        self.app_blocked = false;
        Ok(())
    }
}
