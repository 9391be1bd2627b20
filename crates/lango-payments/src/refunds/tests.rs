//! The refund rules, by example and by property.

use super::*;
use proptest::prelude::*;

fn card(id: &str, paid: i64) -> CardRoute {
    CardRoute {
        card_payment_id: id.into(),
        provider_payment_id: format!("p{id}"),
        paid,
        refunded: 0,
        in_flight: false,
    }
}

fn share(agency: &str, received: i64) -> AgencyShare {
    AgencyShare {
        agency: agency.into(),
        received,
        refunded: 0,
    }
}

/// A KES 4,550 bill with its 50 fee, paid 4,600 by card and then 400 more by M-Pesa.
fn paid_bill() -> Position {
    Position {
        currency: Currency::Kes,
        paid: Parts {
            excess: 40_000,
            service: 455_000,
            fee: 5_000,
        },
        fee_refundable: false,
        refunded: Parts::default(),
        agencies: vec![share("DIS", 455_000)],
        cards: vec![card("c1", 460_000)],
        payout_paid: 40_000,
        payout_refunded: 0,
    }
}

#[test]
fn excess_then_service_and_never_the_fee() {
    let mut pos = paid_bill();
    assert_eq!(pos.available(), 495_000);
    let first = plan(&pos, 50_000, 495_000).unwrap();
    assert_eq!(
        first.parts,
        Parts {
            excess: 40_000,
            service: 10_000,
            fee: 0
        }
    );
    assert_eq!(first.route, Route::Card(0));
    pos.record(&first);
    assert_eq!(pos.available(), 445_000);
    // The same request again states what was available before: refused, nothing refunded.
    assert_eq!(
        plan(&pos, 50_000, 495_000),
        Err(Refusal::Mismatch { available: 445_000 })
    );
    assert_eq!(
        plan(&pos, 445_001, 445_000),
        Err(Refusal::TooMuch { available: 445_000 })
    );
    assert_eq!(plan(&pos, 0, 445_000), Err(Refusal::NotPositive));
    // The card has 4,100 left to give back, M-Pesa 400: 4,450 at once is too much for either.
    assert_eq!(
        plan(&pos, 445_000, 445_000),
        Err(Refusal::SplitNeeded { most: 410_000 })
    );
    let by_card = plan(&pos, 410_000, 445_000).unwrap();
    assert_eq!(by_card.route, Route::Card(0));
    pos.record(&by_card);
    let paid_out = plan(&pos, 35_000, 35_000).unwrap();
    assert_eq!(paid_out.route, Route::Payout);
    pos.record(&paid_out);
    assert_eq!(pos.available(), 0);
    assert_eq!(pos.refunded.fee, 0, "the fee stays with the platform");
}

#[test]
fn a_cancelled_bill_gives_its_fee_back_last() {
    let mut pos = paid_bill();
    pos.fee_refundable = true;
    assert_eq!(pos.available(), 500_000);
    let all = plan(&pos, 500_000, 500_000);
    // 5,000.00 is more than the card (4,600) or the M-Pesa payment (400) can take back.
    assert_eq!(all, Err(Refusal::SplitNeeded { most: 460_000 }));
    let card_part = plan(&pos, 460_000, 500_000).unwrap();
    pos.record(&card_part);
    let rest = plan(&pos, 40_000, 40_000).unwrap();
    assert_eq!(rest.route, Route::Payout);
    assert_eq!(rest.parts.fee, 5_000);
}

#[test]
fn mpesa_only_bills_are_paid_out_and_in_flight_card_refunds_wait() {
    let mut pos = paid_bill();
    pos.cards.clear();
    pos.payout_paid = 500_000;
    assert_eq!(plan(&pos, 1_000, 495_000).unwrap().route, Route::Payout);
    let mut busy = paid_bill();
    busy.cards[0].in_flight = true;
    assert_eq!(plan(&busy, 1_000, 495_000), Err(Refusal::InFlight));
}

#[test]
fn ledger_transactions_balance_and_name_the_right_accounts() {
    let parts = Parts {
        excess: 100,
        service: 200,
        fee: 0,
    };
    let dis = [("DIS".to_string(), 200)];
    let t = transaction("r", Some("card"), Currency::Kes, parts, &dis)
        .unwrap()
        .unwrap();
    let lines: Vec<(String, i64)> = t
        .postings()
        .iter()
        .map(|p| (p.account.to_string(), p.amount))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("revenue:DIS:KES".to_string(), 200),
            ("refunds_payable:KES".to_string(), 100),
            ("collection:card:KES".to_string(), -300),
        ]
    );
    let payout = transaction("r", None, Currency::Kes, parts, &dis)
        .unwrap()
        .unwrap();
    assert_eq!(payout.postings().len(), 2);
    let excess_only = Parts {
        excess: 100,
        service: 0,
        fee: 0,
    };
    assert_eq!(
        transaction("r", None, Currency::Kes, excess_only, &[]).unwrap(),
        None
    );
}

#[test]
fn a_shared_bill_takes_refunds_back_from_each_agency_in_proportion() {
    let mut pos = paid_bill();
    pos.agencies = vec![share("CG-NBI", 300_000), share("NEMA", 155_000)];
    let p = plan(&pos, 140_000, 495_000).unwrap();
    // 400 of excess first, then 1,000 of service: 2/3 (rounded) from the county.
    assert_eq!(
        p.service_by_agency,
        vec![("CG-NBI".to_string(), 65_934), ("NEMA".to_string(), 34_066)]
    );
    pos.record(&p);
    assert_eq!(pos.agencies[0].refunded + pos.agencies[1].refunded, 100_000);
    let t = transaction(
        "r",
        Some("card"),
        Currency::Kes,
        p.parts,
        &p.service_by_agency,
    )
    .unwrap();
    assert_eq!(t.unwrap().postings().len(), 4);
    assert_eq!(
        apportion(3, &[("A".into(), 2), ("B".into(), 2)]),
        vec![2, 1]
    );
    assert_eq!(apportion(0, &[("A".into(), 0)]), vec![0]);
    // Records that disagree (less held than asked): all they hold, the rest from the first.
    assert_eq!(
        apportion(5, &[("A".into(), 1), ("B".into(), 2)]),
        vec![3, 2]
    );
    assert_eq!(apportion(4, &[("A".into(), 0)]), vec![4]);
}

#[test]
fn refusals_name_their_field_and_code() {
    let r = Refusal::Mismatch { available: 455_000 };
    assert_eq!(
        (r.code(), r.field()),
        (
            "refund_amount_available_mismatch",
            "refund_amount_available"
        )
    );
    assert!(r.message(Currency::Kes).contains("4550.00"));
    assert_eq!(Refusal::ReasonRequired.field(), "reason");
}

/// One request in a random sequence: an amount, and whether it states the current
/// available amount or a stale/made-up one.
fn request() -> impl Strategy<Value = (i64, Option<i64>)> {
    (
        -1_000i64..600_000,
        prop_oneof![Just(None), (0i64..600_000).prop_map(Some)],
    )
}

proptest! {
    #[test]
    fn no_sequence_of_requests_refunds_more_than_was_paid(
        service in 0i64..500_000,
        fee in 0i64..5_000,
        excess in 0i64..100_000,
        card_share in 0u8..=100,
        county_share in 0u8..=100,
        cancelled: bool,
        requests in proptest::collection::vec(request(), 1..40),
    ) {
        let total = service + fee + excess;
        let card_paid = total * i64::from(card_share) / 100;
        let mut pos = Position {
            currency: Currency::Kes,
            paid: Parts { excess, service, fee },
            fee_refundable: cancelled,
            refunded: Parts::default(),
            agencies: vec![
                share("CG-NBI", service * i64::from(county_share) / 100),
                share("NEMA", service - service * i64::from(county_share) / 100),
            ],
            cards: if card_paid > 0 { vec![card("c", card_paid)] } else { vec![] },
            payout_paid: total - card_paid,
            payout_refunded: 0,
        };
        let refundable = excess + service + if cancelled { fee } else { 0 };
        let mut refunded = 0;
        for (amount, stated) in requests {
            let before = pos.clone();
            let stated = stated.unwrap_or_else(|| pos.available());
            match plan(&pos, amount, stated) {
                Ok(p) => {
                    prop_assert_eq!(stated, before.available());
                    prop_assert_eq!(p.parts.total(), amount);
                    pos.record(&p);
                    refunded += amount;
                }
                Err(_) => prop_assert_eq!(&pos, &before),
            }
            prop_assert!(refunded <= refundable && refunded <= total);
            prop_assert_eq!(pos.available(), refundable - refunded);
            prop_assert!(pos.refunded.excess <= excess && pos.refunded.service <= service);
            let fee_back = if cancelled { fee } else { 0 };
            prop_assert!(pos.refunded.fee <= fee_back);
            prop_assert!(pos.cards.iter().all(|c| c.refunded <= c.paid));
            prop_assert!(pos.payout_refunded <= pos.payout_paid);
            prop_assert!(pos.agencies.iter().all(|a| a.refunded <= a.received));
            prop_assert_eq!(pos.agencies.iter().map(|a| a.refunded).sum::<i64>(), pos.refunded.service);
        }
    }
}
