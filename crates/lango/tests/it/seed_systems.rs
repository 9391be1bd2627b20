//! The six services added to the demo (KRA PIN, PPRA supplier registration, PSC jobs, SHA
//! household registration, the KPS police abstract and the NRB Huduma card replacement),
//! each end to end on its demo definition over real HTTP: a citizen applies page by page
//! with valid answers and documents, submits, pays the bill by M-Pesa where a fee applies,
//! the agency's officers (and supervisor where the workflow asks for one) work it to its
//! end, and the applicant downloads the issued document and finds the application in
//! their own list.

use crate::backend_tests;
use crate::cases_journey::{
    between, config_of, cookie_string, demo_definitions, fetch, pay, post_multipart, reference_of,
    spawn_with_definitions, start, PASSWORD, PNG,
};
use crate::cases_work::actor;
use crate::support::{Backend, TestApp};
use lango_cases::Cases;
use lango_identity::model::Role;

/// A minimal well-formed PDF, for the documents the definitions accept only as PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A file chosen on a page: field, file name, content type, bytes.
pub(crate) type File = (&'static str, &'static str, &'static str, &'static [u8]);

/// One page of answers and files, in the order the journey shows the pages.
pub(crate) type Answers = (&'static str, Vec<(&'static str, String)>, Vec<File>);

/// A service of the demo and how its journey goes.
pub(crate) struct Service {
    pub(crate) code: &'static str,
    pub(crate) agency: &'static str,
    /// The applicant's national ID number (each service has its own applicant).
    pub(crate) id_number: &'static str,
    pub(crate) pages: Vec<Answers>,
    /// The fee as billed and the label of the state payment moves to, when there is one.
    pub(crate) fee: Option<(&'static str, &'static str)>,
    /// The staff's actions from the first state to the end, each with who takes it.
    pub(crate) steps: &'static [(&'static str, Role)],
    /// The end state and its label.
    pub(crate) end: (&'static str, &'static str),
    /// The title of the issued document.
    pub(crate) document: &'static str,
}

pub(crate) fn page(id: &'static str, pairs: &[(&'static str, &str)], files: Vec<File>) -> Answers {
    let pairs = pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
    (id, pairs, files)
}

pub(crate) fn pdf(field: &'static str) -> File {
    (field, "document.pdf", "application/pdf", PDF)
}

/// The six services with valid answers to every question their definitions show.
#[rustfmt::skip]
fn services() -> Vec<Service> {
    // A loss ten days ago (the police abstract accepts the last year only).
    let ten_days_ago =
        lango_core::clock::Civil::from_ms(lango_core::clock::now_ms() - 10 * 86_400_000).date();
    vec![
        Service {
            code: "KRA-PIN-REG",
            agency: "KRA",
            id_number: "31000001",
            pages: vec![
                page("basic-information", &[("full_name", "Achieng Otieno"), ("national_id", "31000001"),
                    ("date_of_birth", "1990-07-12"), ("gender", "female"), ("marital_status", "single"),
                    ("email", "achieng@example.com"), ("phone", "0712 345 678")], vec![]),
                page("address", &[("county", "Mombasa"), ("sub_county", "Nyali"), ("town", "Nyali"),
                    ("street", "Links Road, Block 4"), ("postal_address", "P.O. Box 1234-80100 Mombasa")], vec![]),
                page("obligations", &[("obligations", "income_tax"), ("income_sources", "employment"),
                    ("employer_pin", "P051234567X")], vec![]),
            ],
            fee: None,
            steps: &[("register", Role::Officer)],
            end: ("issued", "PIN certificate issued"),
            document: "PIN certificate",
        },
        Service {
            code: "PPRA-SUPPLIER-REG",
            agency: "PPRA",
            id_number: "31000002",
            pages: vec![
                page("business", &[("business_type", "sole_proprietor"), ("business_name", "Kamau General Supplies"),
                    ("registration_number", "BN-2K3L7Q9"), ("kra_pin", "A012345678Z"),
                    ("business_email", "tenders@kamau.example"), ("business_phone", "0722 000 111")], vec![]),
                page("address", &[("county", "Nairobi City"), ("sub_county", "Westlands"),
                    ("physical_address", "Westlands Mall, Ring Road, Nairobi")], vec![]),
                page("supplies", &[("categories", "goods"), ("categories", "services"), ("agpo", "no")], vec![]),
                page("representative", &[("rep_name", "John Kamau"), ("rep_id", "31000002"), ("rep_role", "owner")], vec![]),
                page("documents", &[], vec![pdf("registration_certificate"), pdf("tax_compliance"), pdf("owner_ids")]),
            ],
            fee: None,
            steps: &[("verify", Role::Officer), ("approve", Role::Supervisor)],
            end: ("issued", "Registered"),
            document: "Confirmation of supplier registration",
        },
        Service {
            code: "PSC-JOBS",
            agency: "PSC",
            id_number: "31000003",
            pages: vec![
                page("vacancy", &[("vacancy_number", "45/2026"), ("post_title", "Accountant II")], vec![]),
                page("about-you", &[("full_name", "Wanjiru Njoroge"), ("national_id", "31000003"),
                    ("date_of_birth", "1992-03-04"), ("gender", "female"), ("home_county", "Kisumu"),
                    ("ethnicity", "Kikuyu"), ("disability", "no"), ("phone", "0712 345 678"),
                    ("email", "wanjiru@example.com"), ("kra_pin", "A012345678Z")], vec![]),
                page("qualifications", &[("highest_level", "degree"), ("course", "BCom, University of Nairobi, 2014"),
                    ("experience_years", "6"), ("serving_officer", "no"),
                    ("referees.0.name", "Peter Mwangi"), ("referees.0.occupation", "Finance manager, KenGen"), ("referees.0.phone", "0722 111 222"),
                    ("referees.1.name", "Mary Atieno"), ("referees.1.occupation", "Lecturer, University of Nairobi"), ("referees.1.phone", "0733 222 333"),
                    ("referees.2.name", "Hassan Ali"), ("referees.2.occupation", "Auditor, OAG"), ("referees.2.phone", "0711 333 444")], vec![]),
                page("integrity", &[("dismissed", "no"), ("convicted", "no")], vec![]),
                page("documents", &[], vec![pdf("certificates"), pdf("good_conduct"), pdf("helb_clearance")]),
            ],
            fee: None,
            steps: &[("shortlist", Role::Officer), ("recommend", Role::Officer), ("appoint", Role::Supervisor)],
            end: ("appointed", "Offer of appointment issued"),
            document: "Offer of appointment",
        },
        Service {
            code: "SHA-REGISTER",
            agency: "SHA",
            id_number: "31000004",
            pages: vec![
                page("principal-member", &[("full_name", "Otieno Ouma"), ("national_id", "31000004"),
                    ("date_of_birth", "1985-11-20"), ("gender", "male"), ("marital_status", "married"),
                    ("phone", "0712 345 678"), ("county", "Kisumu"), ("sub_county", "Kisumu Central")], vec![]),
                page("work-and-income", &[("employment", "self_employed"), ("household_income", "30000"),
                    ("household_size", "4"), ("dwelling", "rented")], vec![]),
                page("spouse", &[("spouse_name", "Akinyi Ouma"), ("spouse_id", "31000044")], vec![]),
                page("your-children", &[("has_children", "yes"), ("children.0.name", "Baraka Ouma"),
                    ("children.0.date_of_birth", "2016-05-01"), ("children.0.birth_certificate", "1234567")], vec![]),
            ],
            fee: None,
            steps: &[("register", Role::Officer)],
            end: ("registered", "Registered"),
            document: "SHA membership confirmation",
        },
        Service {
            code: "KPS-ABSTRACT",
            agency: "KPS",
            id_number: "31000005",
            pages: vec![
                page("about-you", &[("full_name", "Neema Wafula"), ("national_id", "31000005"), ("phone", "0712 345 678")], vec![]),
                page("what-was-lost", &[("items", "national_id"), ("items", "bank_card"),
                    ("document_numbers", "ID 31000005"), ("how", "lost")], vec![]),
                page("when-and-where", &[("date_lost", ten_days_ago.as_str()), ("county", "Nairobi City"),
                    ("sub_county", "Westlands"), ("place", "A matatu from Kencom to Westlands"),
                    ("circumstances", "My wallet fell out of my bag on the way to work."),
                    ("station", "Parklands Police Station")], vec![("copy", "id.png", "image/png", PNG)]),
            ],
            fee: Some(("50.00", "Recording in the Occurrence Book")),
            steps: &[("issue", Role::Officer)],
            end: ("issued", "Abstract issued"),
            document: "Police abstract",
        },
        Service {
            code: "NRB-HUDUMA-CARD-REPLACE",
            agency: "NRB",
            id_number: "31000006",
            pages: vec![
                page("about-you", &[("full_name", "Mwangi Kariuki"), ("national_id", "31000006"),
                    ("date_of_birth", "1979-01-30"), ("phone", "0712 345 678")], vec![]),
                page("the-card", &[("reason", "lost"), ("date_lost", "2025-06-01")],
                    vec![("abstract", "abstract.pdf", "application/pdf", PDF)]),
                page("collection", &[("collect_at", "huduma-gpo")], vec![]),
            ],
            fee: Some(("1000.00", "Checking your record in NIIMS")),
            steps: &[("approve", Role::Officer), ("dispatch", Role::Officer)],
            end: ("ready", "Ready for collection"),
            document: "Huduma card collection notice",
        },
    ]
}

/// A new staff member of `agency` holding `role`, as the engine sees them.
async fn staff(app: &TestApp, agency: &str, role: Role) -> lango_identity::policy::Actor {
    let email = format!(
        "{role:?}-{}@{agency}.example",
        uuid::Uuid::new_v4().simple()
    )
    .to_lowercase();
    let id = app.staff(&email, PASSWORD, role, Some(agency)).await;
    actor(app, &id).await
}

/// One service from the start page to the downloaded document.
pub(crate) async fn journey(app: &TestApp, cases: &Cases, s: &Service, n: usize) {
    let code = s.code;
    let email = format!("{}@example.com", code.to_lowercase());
    let (mut b, first) = start(app, s.id_number, &email, code).await;
    let reference = reference_of(&first);
    let at = |p: &str| format!("/applications/{reference}/pages/{p}");
    assert_eq!(first, at(s.pages[0].0), "{code} starts on its first page");

    // Every page answered, files chosen on the page as a browser sends them.
    for (i, (id, answers, files)) in s.pages.iter().enumerate() {
        let shown = b.get(&at(id)).await;
        assert_eq!(shown.status, 200, "{code} {id}");
        let pairs: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = post_multipart(app, &b, &at(id), &pairs, files).await;
        let next = s
            .pages
            .get(i + 1)
            .map_or(format!("/applications/{reference}/check"), |p| at(p.0));
        assert_eq!(
            (res.status, res.location.as_str()),
            (303, next.as_str()),
            "{code} {id}: {}",
            between(&res.html, "error-summary", "</div>")
        );
    }
    let check = b.get(&format!("/applications/{reference}/check")).await;
    assert_eq!(check.status, 200, "{code} check");
    for (_, _, files) in &s.pages {
        for (_, name, _, _) in files {
            assert!(
                check.html.contains(name),
                "{code}: the check page lists {name}"
            );
        }
    }
    let sent = b
        .post(
            &format!("/applications/{reference}/submit"),
            &[("declaration", "yes")],
        )
        .await;
    assert_eq!(
        (sent.status, sent.location.as_str()),
        (
            303,
            format!("/applications/{reference}/confirmation").as_str()
        ),
        "{code} submit: {}",
        between(&sent.html, "error-summary", "</div>")
    );
    let conf = b.get(&sent.location).await;
    assert!(
        conf.html.contains(&reference),
        "{code} confirmation names the reference"
    );

    let officer = staff(app, s.agency, Role::Officer).await;
    let supervisor = staff(app, s.agency, Role::Supervisor).await;
    let mut expected = vec!["submit"];
    match s.fee {
        Some((amount, paid_label)) => {
            // The bill is the agency's, for the fee; paid through M-Pesa as a citizen pays.
            let bill = between(&conf.html, "href=\"/pay/", "\"").to_string();
            assert!(!bill.is_empty(), "{code}: a bill to pay");
            let db = app.db().await;
            let raised = lango_payments::bills::get(&db, &bill)
                .await
                .unwrap()
                .expect("bill raised");
            db.close().await;
            assert_eq!(raised.service_amount.to_decimal(), amount, "{code} fee");
            assert_eq!(
                (raised.agency.as_str(), raised.agency_reference.as_str()),
                (s.agency, reference.as_str())
            );
            assert_eq!(raised.status, lango_payments::BillStatus::Open);
            let waiting = cases.get(&officer, &reference).await.unwrap();
            assert_eq!(
                waiting.state, "awaiting_payment",
                "{code} waits for payment"
            );
            assert!(
                cases
                    .act(&officer, &reference, s.steps[0].0, None, waiting.revision)
                    .await
                    .is_err(),
                "{code}: nobody skips the payment"
            );
            pay(app, &bill, &format!("TS4SEED{n:04}")).await;
            app.eventually(&format!("{code} paid"), || async {
                fetch(app, &b, &format!("/applications/{reference}"))
                    .await
                    .contains(paid_label)
            })
            .await;
            expected.push("paid");
        }
        None => {
            assert!(
                !conf.html.contains("href=\"/pay/"),
                "{code} is free: no bill"
            );
            let sent = cases.get(&officer, &reference).await.unwrap();
            assert!(
                sent.bill_reference.is_none() && !sent.awaiting_payment,
                "{code} is free: no bill"
            );
        }
    }

    // The agency works it through its workflow, each step by the role the state asks for.
    for (action, role) in s.steps {
        let who = if *role == Role::Supervisor {
            &supervisor
        } else {
            &officer
        };
        let now = cases.get(who, &reference).await.unwrap();
        assert!(now.open, "{code} open before {action}");
        cases
            .act(who, &reference, action, None, now.revision)
            .await
            .unwrap_or_else(|e| panic!("{code} {action} in {}: {e:?}", now.state));
        expected.push(action);
    }
    let done = cases.get(&officer, &reference).await.unwrap();
    assert_eq!(done.state, s.end.0, "{code} end state");
    assert!(!done.open, "{code} closed");
    assert_eq!(done.agency, s.agency);
    let history = cases.history(&officer, &reference).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|t| t.action.as_str()).collect();
    assert_eq!(actions, expected, "{code} history");
    assert_eq!(history.last().unwrap().to, s.end.0);

    // The applicant tracks it and downloads the issued document.
    let track = b.get(&format!("/applications/{reference}")).await;
    assert_eq!(track.status, 200, "{code} track");
    assert!(
        track.html.contains(s.end.1) && track.html.contains(s.document),
        "{code} track: {}",
        between(&track.html, "<main", "</main>")
    );
    let issued = between(
        between(&track.html, "Your documents from the agency", "</ul>"),
        "href=\"",
        "\"",
    )
    .to_string();
    assert!(
        issued.starts_with('/'),
        "{code}: a link to the issued document: {issued:?}"
    );
    let res = app
        .client
        .get(format!("{}{issued}", app.base))
        .header("cookie", cookie_string(&b))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{code} {issued}");
    assert_eq!(res.headers()["content-type"], "application/pdf", "{code}");
    let text = crate::cases_files::pdf_text(&res.bytes().await.unwrap());
    assert!(
        text.contains(&reference),
        "{code}: the document names the application: {text}"
    );
    let name = &s
        .pages
        .iter()
        .flat_map(|p| &p.1)
        .find(|(k, _)| *k == "full_name" || *k == "business_name")
        .unwrap()
        .1;
    assert!(
        text.contains(name.as_str()),
        "{code}: the document names {name}: {text}"
    );

    // And finds it in their own list of applications.
    let list = b.get("/account/applications").await;
    assert_eq!(list.status, 200);
    assert!(
        list.html.contains(&reference) && list.html.contains(s.end.1),
        "{code} in the applicant's list"
    );
}

pub(crate) async fn demo_app(backend: Backend) -> Option<TestApp> {
    spawn_with_definitions(backend, &demo_definitions(), false).await
}

backend_tests! {
    spawn = demo_app;

    async fn the_six_new_services_are_applied_for_paid_worked_and_issued(app: TestApp) {
        let db = app.db().await;
        let cases = Cases::open(db.clone(), lango::cases_settings(&config_of(&app)).unwrap()).await.unwrap();
        let services = services();
        assert_eq!(services.len(), 6);
        for (n, s) in services.iter().enumerate() {
            let def = cases.definition(s.code, None).await.unwrap();
            assert!(def.is_some(), "{} has its demo definition", s.code);
            journey(&app, &cases, s, n).await;
        }
        db.close().await;
    }
}
