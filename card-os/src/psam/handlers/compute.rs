//! `80 FA` under the keys of the last `BF DE` (`6985` without one): `80 FA 00 00` encrypts (ECB
//! under the process key), `80 FA 05 P2` computes a 4-byte MAC under the process key (P2 `00`)
//! or the diversified card key itself (P2 `01`, the PBOC-classic line MAC).

use super::Ctx;
use crate::chip::{Reply, Res};
use crate::psam::state::Session;
use sscard_apdu::commands::PsamMacKey;
use sscard_apdu::StatusWord;
use sscard_keys::mac::MacKey;
use sscard_keys::BlockCipher;

fn session<'c, S>(ctx: &'c Ctx<'_, S>) -> Result<&'c Session, StatusWord> {
    ctx.ram
        .session
        .as_ref()
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)
}

/// `80 FA 00 00 Lc data`: ECB under the process key (DES / 3DES / SM4 by its length).
pub(crate) fn encrypt<S>(ctx: Ctx<'_, S>, data: &[u8], out: &mut [u8]) -> Res {
    let c = BlockCipher::new(&session(&ctx)?.process_key);
    if data.len() % c.block_size() != 0 {
        return Err(StatusWord::WRONG_LENGTH);
    }
    let buf = out.get_mut(..data.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    buf.copy_from_slice(data);
    if c.ecb_encrypt(buf).is_err() {
        buf.iter_mut().for_each(|b| *b = 0);
        return Err(StatusWord::WRONG_LENGTH);
    }
    Ok(Reply::data(data.len()))
}

/// `80 FA 05 P2 Lc IV ‖ data`: the 4 leftmost bytes of the card MAC (pad method 2; DES CBC-MAC
/// for an 8-byte key, retail MAC for 16-byte 3DES, SM4 CBC-MAC for SM4) with the given IV.
pub(crate) fn mac<S>(ctx: Ctx<'_, S>, sel: PsamMacKey, data: &[u8], out: &mut [u8]) -> Res {
    let s = session(&ctx)?;
    let key = match sel {
        PsamMacKey::Process => &s.process_key,
        PsamMacKey::Card => &s.card_key,
    };
    let mk = MacKey::new(key);
    let (iv, msg) = data
        .split_at_checked(mk.block_size())
        .ok_or(StatusWord::WRONG_LENGTH)?;
    let mac = mk.mac4(iv, &[msg]).map_err(|_| StatusWord::WRONG_LENGTH)?;
    let dst = out.get_mut(..mac.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&mac);
    Ok(Reply::data(mac.len()))
}
