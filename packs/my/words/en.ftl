### Malaysia's words in English, in place of the portal's own where these read right only
### in Malaysia (docs/country-packs.md). Every key here is one of crates/lango-web/words.

phone_invalid = Enter a mobile number like 012-345 6789 or +60 12-345 6789
centres_phone_invalid = Enter a mobile number, such as 012-345 6789
mpesa_phone_hint = For example, 012-345 6789
citizen = Malaysian citizen (MyKad)
resident = Permanent resident (MyPR)
national_id = MyKad number
assist_kind_national_id = MyKad
oidc_scope_national_id = Your MyKad number
site_search_hint = For example: passport, MyKad, driving licence, assessment tax
centres_lead = Places where you can be served in person: Urban Transformation Centres (UTC), agencies' offices and mobile units. Book an appointment to be served at a set time.
centres_home = Rather be served in person? UTCs and agencies' offices serve every service that says so; book a time and skip the queue.
centre_kind_huduma = Urban Transformation Centre (UTC)
cadm_kind_huduma = Urban Transformation Centre (UTC)
cadm_f_operator_hint = The code of the agency that runs it, for example JPM: its systems hold the centre's keys
cadm_fix_operator = Enter the code of the agency that runs it, at most 20 characters, such as JPM
claim_next_dependant = Our staff check the birth certificate with the National Registration Department, usually within 2 working days; they may ask you to bring it to a UTC. We will tell you by SMS or e-mail. You can apply for the child once the claim is approved.
county_unknown = Enter a state of Malaysia, for example Selangor
svc_fees_invalid = Write each fee on its own line as label:amount currency, for example 5-year passport:200.00 MYR, or :60.00 MYR for a single fee
help_pay_lead = Every bill has a reference. Pay it on the bill's page by debit or credit card; the counter at a UTC also takes cash.
help_pay_other = A payment is matched to your bill within minutes; the page and an SMS tell you when.
help_pay_wrong = Paid the wrong amount or to the wrong reference? Keep your receipt and contact the agency: money that matches no bill is kept safely until it is found or returned.

# Accounts and profiles: MyKad and MyPR, states and districts, SSM registration numbers.
id_number = MyKad, MyPR or passport number
county = State
sub_county = District
registration_number_hint = As on the SSM certificate, for example 202001012345
url_hint = For example https://systems.agency.gov.my/lango-events
phone_sms_hint = For example STATUS and an application's reference, PAY and a bill's reference, HELP, STOP or START.
privacy_what_account = Your account: MyKad, MyPR or passport number, names, date of birth, phone number, e-mail address, postal address, state, language and how you want to be contacted. Your password is kept only as a one-way hash.
oidc_national_id_yes = This system may receive people's MyKad numbers (scope national_id)
oidc_national_id_tag = MyKad
oidc_national_id_platform = Only platform administrators can allow MyKad numbers

# Paying without M-Pesa: by card, and in cash at a centre's counter; amounts in ringgit.
card_unavailable_body = We could not reach the card payment service. Nothing was taken from your card. Try again in a few minutes, or pay at a service centre's counter.
card_declined_body = Your bank did not accept the payment. Nothing was taken from your card. Try again with another card, or pay at a service centre's counter.
card_failed_body = Nothing was taken from your card. Try again, or pay at a service centre's counter.
apply_payment_number = Payment number (the bill's reference, to pay by card or at a counter):
contact_payment_body = Contact the agency that raised the bill, with the bill reference and your receipt number. Never share your card's PIN or a one-time code (TAC or OTP) from your bank: no officer will ever ask for it.
privacy_what_payments = Your bills and payments: amounts, receipt numbers and how you paid (by card or at a counter).
cash_amount = Amount received in cash (MYR)
cash_counted = Cash counted in the drawer (MYR)
svc_f_fees_hint = One fee per line as label:amount currency, for example 5-year passport:200.00 MYR. For a single fee leave the label out: :60.00 MYR. Leave empty if the service is free.
refund_list_lead = Refunds awaiting payout come first: pay them to the payer outside Lango, by bank transfer or in cash at a counter. Find a bill to refund by its reference.
refund_rules = What can be refunded: anything paid beyond the bill, and what was paid toward the agency's service amount, less refunds so far. The convenience fee is refunded only when the bill is cancelled. A refund goes back to the card it was paid with; money paid in cash at a counter is paid back to the payer outside Lango.
refund_method_payout_long = Owed to the payer and paid to them outside Lango, by bank transfer or in cash (it waits as a payout for finance)
refund_next_pending_payout = Pay this amount to the payer outside Lango, by bank transfer or in cash. It is recorded as owed to them until then.
band_min = For bills of at least (MYR)
band_max = and less than (MYR, empty for no limit)
flat = Flat amount (MYR)
cap = At most (MYR, empty for no cap)

# Malaysia Time (MYT), not East Africa Time.
centre_hours = Opening hours (Malaysia Time)
book_time_hint = Malaysia Time. Come 10 minutes early with your MyKad or passport.
desk_book_time = Time (HH:MM, Malaysia Time)
desk_book_start_invalid = Enter the day as YYYY-MM-DD and the time as HH:MM (Malaysia Time)
cfig_period = From { $v1 } to { $v2 }, Malaysia Time.
finance_lead = Money received through every channel, read from the ledger. Days are Malaysia Time, and each currency is counted on its own.
settle_date = Day (Malaysia Time)
settle_paid_at = Paid (Malaysia Time)
data_times = Times are Malaysia Time (MYT).

# Service centres: states, Malaysian examples, UTCs.
centres_county = State
centres_any_county = Any state
centres_none = No centre matches. Try another state or service.
centres_id_number_invalid = Enter a MyKad or passport number (5 to 20 letters and digits)
cadm_county = State
cadm_f_centre_hint = 2 to 20 capitals, digits and hyphens, for example UTC-KL. It cannot be changed later.
cadm_f_name_sw = Name in Malay
cadm_f_county = State
cadm_f_county_hint = For a mobile centre, the state it is based in
cadm_f_latitude_hint = Degrees, for example 3.145700
cadm_f_longitude_hint = Degrees, for example 101.699400
cadm_f_schedule_hint = One stop a line: date, hours, state | place; empty for other centres. For example:
cadm_fix_name_sw = Enter the name in Malay, at most 120 characters
cadm_fix_kind = Choose huduma (an Urban Transformation Centre), office or mobile
cadm_fix_county = Enter the state, at most 60 characters
cadm_fix_latitude = Enter degrees within 90 either way, at most six decimals, such as 3.145700
cadm_fix_longitude = Enter degrees within 180 either way, at most six decimals, such as 101.699400
cadm_fix_services = Write each service as SERVICE:daily cap:minutes:letter, such as JIM-PASSPORT-RENEW:300:15:A, for a service in the catalogue
cadm_fix_counters = Write each counter once with the services it serves joined by +, such as 1:JIM-PASSPORT-RENEW+JPN-MYKAD-REPLACE, only services the centre offers
cadm_fix_schedule = Write each stop as YYYY-MM-DD HH:MM-HH:MM State | Place

# Assisted applications: the MyKad and MyPR.
assist_find_lead = Ask for their MyKad (or MyPR card or passport) and type its number. If they have no Lango account yet, you will register them next.
assist_register_lead = No account has this ID number. Copy their details from the MyKad or other identity document they show you; they will choose a password later with a code sent to their phone.
assist_kind_alien_id = MyPR (permanent resident card)

# Claims: SSM and the National Registration Department.
claim_check_business = Check the Companies Commission of Malaysia (SSM) record: the registration number, the name and that this person is a director, owner or partner.
claim_check_dependant = Check the birth certificate (or the National Registration Department's record): the number, the child's name and date of birth, and that this person is named as parent, or holds a guardianship order.
claim_next_business = Our staff check the business with the Companies Commission of Malaysia (SSM), usually within 2 working days. We will tell you by SMS or e-mail. You can apply and pay for the business once the claim is approved.

# The catalogue's second language is Bahasa Melayu.
svc_f_name_sw = Name in Malay
svc_f_summary_sw = Summary in Malay
svc_f_description_sw = Description in Malay
svc_f_eligibility_sw = Who can apply, in Malay
svc_f_fees_sw = Fee labels in Malay
svc_f_fees_sw_hint = One line a fee, in the same order as the fees: the label in Malay. Leave empty until translated.
svc_f_documents_sw = Documents in Malay
svc_fees_sw_invalid = Give one Malay label a fee, on its own line, in the same order as the fees
svc_documents_sw_invalid = Give one Malay line a document, in the same order as the documents (a blank line for one not translated)

# Dashboards, performance categories and the survey: states, not counties.
ins_by_county = By state
ins_county = State
ins_satisfaction_by_county = Satisfaction by state
perf_cat_state_department = Government departments
perf_cat_state_corporation = Statutory bodies
perf_cat_county = State governments
survey_county = State where you live
survey_county_invalid = Select a state from the list

# Contact, privacy notice and accessibility statement: Malaysian law and bodies.
contact_data_body = Download what Lango holds about you, or ask for a correction, from your account. For anything else about your data, write to the agency that holds it. If you are not satisfied with the answer, you may complain to the Personal Data Protection Department (JPDP).
contact_complaint_body = Complain first to the agency. If it does not put things right, the Public Complaints Bureau (Biro Pengaduan Awam, BPA) deals with complaints about public services: complain through SISPAA at https://www.pcb.gov.my.
privacy_lead = How Lango uses your personal data, following the Personal Data Protection Act 2010, and the rights it gives you.
privacy_how_long_records = Applications, documents and payments: as long as the agency must keep them as public records under the National Archives Act 2003 and the Financial Procedure Act 1957.
privacy_rights_lead = Following the Personal Data Protection Act 2010, you have the right:
privacy_commissioner_body = If you think your data has been misused, tell the agency first. You may also complain to the Personal Data Protection Commissioner, who enforces the Act: Personal Data Protection Department (Jabatan Perlindungan Data Peribadi, JPDP), https://www.pdp.gov.my.
a11y_standard_body = We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, so that persons with disabilities have the access to information and communication the Persons with Disabilities Act 2008 provides for. Every page works without JavaScript, at 360 pixels wide and at 200% zoom, and in Bahasa Melayu and English. Every page is checked automatically with axe in a real browser each time Lango is changed.
a11y_report_body = If you cannot use a page, or need a document in another format, contact the agency whose service you are using and say which page and what went wrong. We aim to answer within 5 working days. If you are not satisfied with the answer, you may complain to the Public Complaints Bureau (BPA) through SISPAA, https://www.pcb.gov.my.

# Registered agents: SSM, local council licences, states, paying the bill by card or at a counter.
agents_lead = Registered agents (cyber cafés and business service counters) can apply and pay for you while you are with them. Every agent here has been checked by the platform. An agent can act for you only with the code Lango sends to your phone.
agents_none = No agents match. Try another state or service, or visit a service centre.
agents_fees = The government fee is the same wherever you apply. An agent may ask a fee for its help: ask before you start. Lango pays agents a commission, so you never pay the government fee into the agent's own account: pay the bill itself, by card on its page or at a service centre's counter, with your bill's reference.
agent_applied_next = platform staff check your business and licence, usually within five working days. We tell you by SMS. You can act for people once you are approved.
agent_no_business_body = To apply, you need a business you own in your Lango account. Register your business with the Companies Commission of Malaysia (SSM), then claim it from your account, and come back.
permit_number = Business premises licence number (local council)
permit_number_hint = As on the licence your local council (PBT) issued, for example MBPJ/LP/2026/00123
permit_file = A copy of your business premises licence
permit_file_hint = A scan or photo of the whole licence: PDF, JPEG or PNG, up to 5 MB
id_file = A copy of the owner's MyKad or passport
services_hint = Their codes from the service pages, separated by spaces or commas, for example JPN-MYKAD-REPLACE JPJ-LICENCE-RENEW
permit_number_invalid = Enter the licence number as it is on the licence, 3 to 30 letters, numbers, - or /
rec_period = Period compared (Malaysia Time)
