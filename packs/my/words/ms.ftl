### Perkataan Malaysia dalam Bahasa Melayu, menggantikan perkataan portal yang hanya tepat
### di Malaysia (docs/country-packs.md). Setiap kunci di sini ialah kunci crates/lango-web/words.

phone_invalid = Masukkan nombor telefon bimbit seperti 012-345 6789 atau +60 12-345 6789
centres_phone_invalid = Masukkan nombor telefon bimbit, contohnya 012-345 6789
mpesa_phone_hint = Contohnya, 012-345 6789
citizen = Warganegara Malaysia (MyKad)
resident = Penduduk tetap (MyPR)
national_id = Nombor MyKad
assist_kind_national_id = MyKad
oidc_scope_national_id = Nombor MyKad anda
site_search_hint = Contohnya: pasport, MyKad, lesen memandu, cukai taksiran
centres_lead = Tempat anda boleh dilayan secara bersemuka: Pusat Transformasi Bandar (UTC), pejabat agensi dan unit bergerak. Buat temu janji untuk dilayan pada masa yang ditetapkan.
centres_home = Lebih suka dilayan secara bersemuka? UTC dan pejabat agensi menyediakan setiap perkhidmatan yang menyatakannya; tempah masa dan elakkan beratur.
centre_kind_huduma = Pusat Transformasi Bandar (UTC)
cadm_kind_huduma = Pusat Transformasi Bandar (UTC)
cadm_f_operator_hint = Kod agensi yang mengendalikannya, contohnya JPM: sistemnya menyimpan kunci pusat ini
cadm_fix_operator = Masukkan kod agensi yang mengendalikannya, paling banyak 20 aksara, contohnya JPM
claim_next_dependant = Kakitangan kami menyemak sijil kelahiran dengan Jabatan Pendaftaran Negara, biasanya dalam 2 hari bekerja; mereka mungkin meminta anda membawanya ke UTC. Kami akan memaklumkan anda melalui SMS atau e-mel. Anda boleh memohon bagi pihak anak itu setelah tuntutan diluluskan.
county_unknown = Masukkan negeri di Malaysia, contohnya Selangor
svc_fees_invalid = Tulis setiap yuran pada barisnya sendiri sebagai label:jumlah mata wang, contohnya Pasport 5 tahun:200.00 MYR, atau :60.00 MYR bagi satu yuran sahaja
help_pay_lead = Setiap bil mempunyai nombor rujukan. Bayar di halaman bil dengan kad debit atau kredit; kaunter di UTC juga menerima tunai.
help_pay_other = Bayaran dipadankan dengan bil anda dalam beberapa minit; halaman bil dan SMS akan memaklumkan anda.
help_pay_wrong = Tersilap jumlah atau nombor rujukan? Simpan resit anda dan hubungi agensi: wang yang tidak sepadan dengan mana-mana bil disimpan dengan selamat sehingga ia ditemui atau dipulangkan.

# Akaun dan profil: MyKad dan MyPR, negeri dan daerah, nombor pendaftaran SSM.
id_number = Nombor MyKad, MyPR atau pasport
county = Negeri
sub_county = Daerah
registration_number_hint = Seperti pada sijil SSM, contohnya 202001012345
url_hint = Contohnya https://systems.agency.gov.my/lango-events
phone_sms_hint = Contohnya STATUS berserta rujukan permohonan, PAY berserta rujukan bil, HELP, STOP atau START.
privacy_what_account = Akaun anda: nombor MyKad, MyPR atau pasport, nama, tarikh lahir, nombor telefon, alamat e-mel, alamat surat-menyurat, negeri, bahasa dan cara anda ingin dihubungi. Kata laluan anda disimpan hanya dalam bentuk cincangan sehala.
oidc_national_id_yes = Sistem ini boleh menerima nombor MyKad pengguna (skop national_id)
oidc_national_id_tag = MyKad
oidc_national_id_platform = Hanya pentadbir platform boleh membenarkan nombor MyKad

# Bayaran tanpa M-Pesa: dengan kad, dan secara tunai di kaunter pusat; amaun dalam ringgit.
card_unavailable_body = Kami tidak dapat menghubungi perkhidmatan bayaran kad. Tiada wang yang ditolak daripada kad anda. Cuba lagi dalam beberapa minit, atau bayar di kaunter pusat perkhidmatan.
card_declined_body = Bank anda tidak menerima bayaran ini. Tiada wang yang ditolak daripada kad anda. Cuba lagi dengan kad lain, atau bayar di kaunter pusat perkhidmatan.
card_failed_body = Tiada wang yang ditolak daripada kad anda. Cuba lagi, atau bayar di kaunter pusat perkhidmatan.
apply_payment_number = Nombor bayaran (rujukan bil, untuk membayar dengan kad atau di kaunter):
contact_payment_body = Hubungi agensi yang mengeluarkan bil, dengan menyatakan nombor rujukan bil dan nombor resit anda. Jangan sekali-kali berkongsi PIN kad anda atau kod sekali guna (TAC atau OTP) daripada bank anda: tiada pegawai akan memintanya.
privacy_what_payments = Bil dan bayaran anda: amaun, nombor resit dan cara anda membayar (dengan kad atau di kaunter).
cash_amount = Amaun yang diterima secara tunai (MYR)
cash_counted = Tunai yang dikira dalam laci (MYR)
svc_f_fees_hint = Satu yuran bagi setiap baris dalam format label:amaun mata wang, contohnya Pasport 5 tahun:200.00 MYR. Bagi yuran tunggal, tinggalkan label: :60.00 MYR. Biarkan kosong jika perkhidmatan ini percuma.
refund_list_lead = Bayaran balik yang menunggu pembayaran disenaraikan dahulu: bayar kepada pembayar di luar Lango, melalui pindahan bank atau secara tunai di kaunter. Cari bil untuk dibayar balik menggunakan rujukannya.
refund_rules = Perkara yang boleh dibayar balik: sebarang bayaran yang melebihi bil, dan bayaran bagi amaun perkhidmatan agensi, tolak bayaran balik yang telah dibuat. Yuran kemudahan hanya dibayar balik apabila bil dibatalkan. Bayaran balik dikembalikan ke kad yang digunakan untuk membayar; wang yang dibayar secara tunai di kaunter dibayar balik kepada pembayar di luar Lango.
refund_method_payout_long = Terhutang kepada pembayar dan dibayar kepadanya di luar Lango, melalui pindahan bank atau secara tunai (menunggu sebagai pembayaran oleh kewangan)
refund_next_pending_payout = Bayar amaun ini kepada pembayar di luar Lango, melalui pindahan bank atau secara tunai. Amaun ini direkodkan sebagai terhutang kepadanya sehingga dibayar.
band_min = Bagi bil sekurang-kurangnya (MYR)
band_max = dan kurang daripada (MYR, kosongkan jika tiada had)
flat = Amaun tetap (MYR)
cap = Maksimum (MYR, kosongkan jika tiada had)

# Waktu Malaysia (MYT), bukan Waktu Afrika Timur.
centre_hours = Waktu operasi (Waktu Malaysia)
book_time_hint = Waktu Malaysia. Datang 10 minit lebih awal dengan MyKad atau pasport anda.
desk_book_time = Masa (HH:MM, Waktu Malaysia)
desk_book_start_invalid = Masukkan hari sebagai YYYY-MM-DD dan masa sebagai HH:MM (Waktu Malaysia)
cfig_period = Dari { $v1 } hingga { $v2 }, Waktu Malaysia.
finance_lead = Wang yang diterima melalui setiap saluran, dibaca daripada lejar. Hari adalah mengikut Waktu Malaysia, dan setiap mata wang dikira secara berasingan.
settle_date = Hari (Waktu Malaysia)
settle_paid_at = Dibayar (Waktu Malaysia)
data_times = Masa dinyatakan dalam Waktu Malaysia (MYT).

# Pusat perkhidmatan: negeri, contoh Malaysia, UTC.
centres_county = Negeri
centres_any_county = Semua negeri
centres_none = Tiada pusat yang sepadan. Cuba negeri atau perkhidmatan lain.
centres_id_number_invalid = Masukkan nombor MyKad atau pasport (5 hingga 20 huruf dan digit)
cadm_county = Negeri
cadm_f_centre_hint = 2 hingga 20 huruf besar, digit dan tanda sempang, contohnya UTC-KL. Kod ini tidak boleh diubah kemudian.
cadm_f_name_sw = Nama dalam Bahasa Melayu
cadm_f_county = Negeri
cadm_f_county_hint = Bagi pusat bergerak, negeri tempat ia berpangkalan
cadm_f_latitude_hint = Dalam darjah, contohnya 3.145700
cadm_f_longitude_hint = Dalam darjah, contohnya 101.699400
cadm_f_schedule_hint = Satu lokasi setiap baris: tarikh, waktu, negeri | tempat; biarkan kosong bagi pusat lain. Contohnya:
cadm_fix_name_sw = Masukkan nama dalam Bahasa Melayu, tidak melebihi 120 aksara
cadm_fix_kind = Pilih huduma (Pusat Transformasi Bandar), office atau mobile
cadm_fix_county = Masukkan negeri, tidak melebihi 60 aksara
cadm_fix_latitude = Masukkan darjah dalam lingkungan 90 ke mana-mana arah, paling banyak enam tempat perpuluhan, seperti 3.145700
cadm_fix_longitude = Masukkan darjah dalam lingkungan 180 ke mana-mana arah, paling banyak enam tempat perpuluhan, seperti 101.699400
cadm_fix_services = Tulis setiap perkhidmatan sebagai SERVICE:had harian:minit:huruf, seperti JIM-PASSPORT-RENEW:300:15:A, bagi perkhidmatan yang ada dalam katalog
cadm_fix_counters = Tulis setiap kaunter sekali sahaja dengan perkhidmatan yang disediakannya disambung dengan +, seperti 1:JIM-PASSPORT-RENEW+JPN-MYKAD-REPLACE, hanya perkhidmatan yang ditawarkan oleh pusat
cadm_fix_schedule = Tulis setiap lokasi sebagai YYYY-MM-DD HH:MM-HH:MM Negeri | Tempat

# Permohonan dibantu: MyKad dan MyPR.
assist_find_lead = Minta MyKad mereka (atau kad MyPR atau pasport) dan taip nombornya. Jika mereka belum mempunyai akaun Lango, anda akan mendaftarkan mereka selepas ini.
assist_register_lead = Tiada akaun dengan nombor pengenalan ini. Salin butiran mereka daripada MyKad atau dokumen pengenalan lain yang ditunjukkan kepada anda; mereka akan memilih kata laluan kemudian menggunakan kod yang dihantar ke telefon mereka.
assist_kind_alien_id = MyPR (kad penduduk tetap)

# Tuntutan: SSM dan Jabatan Pendaftaran Negara.
claim_check_business = Semak rekod Suruhanjaya Syarikat Malaysia (SSM): nombor pendaftaran, nama, dan bahawa individu ini ialah pengarah, pemilik atau pekongsi perniagaan tersebut.
claim_check_dependant = Semak sijil kelahiran (atau rekod Jabatan Pendaftaran Negara): nombor, nama dan tarikh lahir anak, dan bahawa individu ini dinamakan sebagai ibu atau bapa, atau memegang perintah penjagaan.
claim_next_business = Kakitangan kami akan menyemak perniagaan tersebut dengan Suruhanjaya Syarikat Malaysia (SSM), biasanya dalam tempoh 2 hari bekerja. Kami akan memaklumkan anda melalui SMS atau e-mel. Anda boleh memohon dan membuat bayaran bagi pihak perniagaan tersebut sebaik sahaja tuntutan diluluskan.

# Bahasa kedua katalog ialah Bahasa Melayu.
svc_f_name_sw = Nama dalam Bahasa Melayu
svc_f_summary_sw = Ringkasan dalam Bahasa Melayu
svc_f_description_sw = Keterangan dalam Bahasa Melayu
svc_f_eligibility_sw = Siapa yang boleh memohon, dalam Bahasa Melayu
svc_f_fees_sw = Label yuran dalam Bahasa Melayu
svc_f_fees_sw_hint = Satu baris bagi setiap yuran, mengikut susunan yang sama seperti yuran: label dalam Bahasa Melayu. Biarkan kosong sehingga diterjemahkan.
svc_f_documents_sw = Dokumen dalam Bahasa Melayu
svc_fees_sw_invalid = Berikan satu label Bahasa Melayu bagi setiap yuran, pada baris tersendiri, mengikut susunan yang sama seperti yuran
svc_documents_sw_invalid = Berikan satu baris Bahasa Melayu bagi setiap dokumen, mengikut susunan yang sama seperti dokumen (baris kosong bagi dokumen yang tidak diterjemahkan)

# Papan pemuka, kategori prestasi dan tinjauan: negeri, bukan kaunti.
ins_by_county = Mengikut negeri
ins_county = Negeri
ins_satisfaction_by_county = Kepuasan mengikut negeri
perf_cat_state_department = Jabatan kerajaan
perf_cat_state_corporation = Badan berkanun
perf_cat_county = Kerajaan negeri
survey_county = Negeri tempat anda tinggal
survey_county_invalid = Pilih negeri daripada senarai

# Hubungi kami, notis privasi dan pernyataan kebolehcapaian: undang-undang dan badan Malaysia.
contact_data_body = Muat turun maklumat yang disimpan oleh Lango tentang anda, atau mohon pembetulan, melalui akaun anda. Bagi perkara lain mengenai data anda, tulis kepada agensi yang menyimpannya. Jika anda tidak berpuas hati dengan jawapan yang diberikan, anda boleh membuat aduan kepada Jabatan Perlindungan Data Peribadi (JPDP).
contact_complaint_body = Buat aduan kepada agensi terlebih dahulu. Jika agensi tidak membetulkan keadaan, Biro Pengaduan Awam (BPA) mengendalikan aduan mengenai perkhidmatan awam: buat aduan melalui SISPAA di https://www.pcb.gov.my.
privacy_lead = Cara Lango menggunakan data peribadi anda, selaras dengan Akta Perlindungan Data Peribadi 2010, dan hak yang diberikan oleh Akta tersebut kepada anda.
privacy_how_long_records = Permohonan, dokumen dan bayaran: selama mana agensi dikehendaki menyimpannya sebagai rekod awam di bawah Akta Arkib Negara 2003 dan Akta Acara Kewangan 1957.
privacy_rights_lead = Selaras dengan Akta Perlindungan Data Peribadi 2010, anda berhak:
privacy_commissioner_body = Jika anda berpendapat data anda telah disalahgunakan, maklumkan kepada agensi terlebih dahulu. Anda juga boleh membuat aduan kepada Pesuruhjaya Perlindungan Data Peribadi, yang menguatkuasakan Akta tersebut: Jabatan Perlindungan Data Peribadi (JPDP), https://www.pdp.gov.my.
a11y_standard_body = Kami menyasarkan untuk mematuhi Garis Panduan Kebolehcapaian Kandungan Web (WCAG) 2.2 pada tahap AA, supaya orang kurang upaya mendapat akses kepada maklumat dan komunikasi sebagaimana yang diperuntukkan oleh Akta Orang Kurang Upaya 2008. Setiap halaman berfungsi tanpa JavaScript, pada lebar 360 piksel dan zum 200%, serta dalam Bahasa Melayu dan bahasa Inggeris. Setiap halaman disemak secara automatik dengan axe dalam pelayar sebenar setiap kali Lango diubah.
a11y_report_body = Jika anda tidak dapat menggunakan sesuatu halaman, atau memerlukan dokumen dalam format lain, hubungi agensi yang perkhidmatannya anda gunakan dan nyatakan halaman yang berkenaan dan masalah yang berlaku. Kami menyasarkan untuk menjawab dalam tempoh 5 hari bekerja. Jika anda tidak berpuas hati dengan jawapan yang diberikan, anda boleh membuat aduan kepada Biro Pengaduan Awam (BPA) melalui SISPAA, https://www.pcb.gov.my.

# Ejen berdaftar: SSM, lesen pihak berkuasa tempatan, negeri, membayar bil dengan kad atau di kaunter.
agents_lead = Ejen berdaftar (kafe siber dan kaunter perkhidmatan perniagaan) boleh memohon dan membuat bayaran bagi pihak anda semasa anda bersama mereka. Setiap ejen di sini telah disemak oleh platform. Ejen hanya boleh bertindak bagi pihak anda dengan kod yang dihantar oleh Lango ke telefon anda.
agents_none = Tiada ejen yang sepadan. Cuba negeri atau perkhidmatan lain, atau kunjungi pusat perkhidmatan.
agents_fees = Yuran kerajaan adalah sama di mana-mana sahaja anda memohon. Ejen boleh mengenakan caj bagi bantuannya: tanya sebelum anda bermula. Lango membayar komisen kepada ejen, oleh itu anda tidak sekali-kali membayar yuran kerajaan ke akaun ejen sendiri: bayar bil itu sendiri, dengan kad di halaman bil atau di kaunter pusat perkhidmatan, menggunakan rujukan bil anda.
agent_applied_next = kakitangan platform akan menyemak perniagaan dan lesen anda, biasanya dalam tempoh lima hari bekerja. Kami akan memaklumkan anda melalui SMS. Anda boleh bertindak bagi pihak orang lain sebaik sahaja permohonan anda diluluskan.
agent_no_business_body = Untuk memohon, anda memerlukan perniagaan milik anda dalam akaun Lango anda. Daftarkan perniagaan anda dengan Suruhanjaya Syarikat Malaysia (SSM), kemudian tuntut perniagaan itu melalui akaun anda, dan kembali ke sini.
permit_number = Nombor lesen premis perniagaan (PBT)
permit_number_hint = Seperti pada lesen yang dikeluarkan oleh pihak berkuasa tempatan (PBT) anda, contohnya MBPJ/LP/2026/00123
permit_file = Salinan lesen premis perniagaan anda
permit_file_hint = Imbasan atau foto keseluruhan lesen: PDF, JPEG atau PNG, maksimum 5 MB
id_file = Salinan MyKad atau pasport pemilik
services_hint = Kod perkhidmatan daripada halaman perkhidmatan, dipisahkan dengan ruang atau koma, contohnya JPN-MYKAD-REPLACE JPJ-LICENCE-RENEW
permit_number_invalid = Masukkan nombor lesen seperti yang tertera pada lesen, 3 hingga 30 huruf, nombor, - atau /
rec_period = Tempoh dibandingkan (Waktu Malaysia)
