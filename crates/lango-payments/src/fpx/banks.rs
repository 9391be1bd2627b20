//! The banks FPX reaches. The gateway's bank list (`BE`) gives codes and whether each is
//! online now; the names people choose from are FPX's published names for those codes.

/// A bank the payer may choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// FPX's code (`fpx_buyerBankId`).
    pub id: String,
    /// Its name as people know it.
    pub name: String,
    /// False while the bank's internet banking is down (listed, not chosen).
    pub online: bool,
}

/// FPX's B2C bank codes and names.
const NAMES: &[(&str, &str)] = &[
    ("ABB0233", "Affin Bank"),
    ("ABMB0212", "Alliance Bank (Personal)"),
    ("AGRO01", "AGRONet"),
    ("AMBB0209", "AmBank"),
    ("BIMB0340", "Bank Islam"),
    ("BMMB0341", "Bank Muamalat"),
    ("BKRM0602", "Bank Rakyat"),
    ("BSN0601", "BSN"),
    ("BCBB0235", "CIMB Clicks"),
    ("HLB0224", "Hong Leong Bank"),
    ("HSBC0223", "HSBC Bank"),
    ("KFH0346", "KFH"),
    ("MBB0228", "Maybank2E"),
    ("MB2U0227", "Maybank2U"),
    ("OCBC0229", "OCBC Bank"),
    ("PBB0233", "Public Bank"),
    ("RHB0218", "RHB Bank"),
    ("SCB0216", "Standard Chartered"),
    ("UOB0226", "UOB Bank"),
];

/// The name of bank `code`, or the code itself when FPX added a bank since.
pub fn bank_name(code: &str) -> &str {
    NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or(code)
}

/// Reads FPX's `fpx_bankList` (`ABB0233~A,BIMB0340~B,…`; `A` online, `B` offline), sorted
/// by name.
pub fn read_list(list: &str) -> Vec<Bank> {
    let mut banks: Vec<Bank> = list
        .split(',')
        .filter_map(|item| {
            let (code, state) = item.trim().split_once('~')?;
            let ok = !code.is_empty()
                && code.len() <= 20
                && code.bytes().all(|b| b.is_ascii_alphanumeric());
            ok.then(|| Bank {
                id: code.to_string(),
                name: bank_name(code).to_string(),
                online: state == "A",
            })
        })
        .collect();
    banks.sort_by(|a, b| a.name.cmp(&b.name));
    banks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_codes_names_and_states() {
        let banks = read_list("MB2U0227~A,BIMB0340~B,NEW0001~A,bad code~A,~A");
        let got: Vec<(&str, &str, bool)> = banks
            .iter()
            .map(|b| (b.id.as_str(), b.name.as_str(), b.online))
            .collect();
        assert_eq!(
            got,
            [
                ("BIMB0340", "Bank Islam", false),
                ("MB2U0227", "Maybank2U", true),
                ("NEW0001", "NEW0001", true)
            ]
        );
    }
}
