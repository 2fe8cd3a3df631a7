#include "names.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const fh_word western_first[] = {
    {"James", "james"}, {"Mary", "mary"}, {"Robert", "robert"}, {"Patricia", "patricia"},
    {"John", "john"}, {"Jennifer", "jennifer"}, {"Michael", "michael"}, {"Linda", "linda"},
    {"David", "david"}, {"Elizabeth", "elizabeth"}, {"William", "william"}, {"Susan", "susan"},
    {"Richard", "richard"}, {"Jessica", "jessica"}, {"Joseph", "joseph"}, {"Sarah", "sarah"},
    {"Thomas", "thomas"}, {"Karen", "karen"}, {"Daniel", "daniel"}, {"Emily", "emily"},
    {"Matthew", "matthew"}, {"Olivia", "olivia"}, {"Liam", "liam"}, {"Emma", "emma"},
    {"Noah", "noah"}, {"Ava", "ava"}, {"Lucas", "lucas"}, {"Mia", "mia"}, {"Ethan", "ethan"},
    {"Amelia", "amelia"}, {"Oliver", "oliver"}, {"Sophie", "sophie"}, {"Jack", "jack"},
    {"Hannah", "hannah"}, {"Leo", "leo"}, {"Grace", "grace"}, {"Anna", "anna"}, {"Ben", "ben"},
    {"José", "jose"}, {"Zoë", "zoe"}, {"Åsa", "asa"}, {"François", "francois"},
    {"Renée", "renee"}, {"Björn", "bjorn"}, {"Søren", "soren"}, {"Chloé", "chloe"},
    {"Inés", "ines"}, {"Ángel", "angel"}, {"Małgorzata", "malgorzata"}, {"Jiří", "jiri"},
    {"Ümit", "umit"}, {"Noël", "noel"}, {"Léa", "lea"}, {"Çağla", "cagla"},
    {"Siobhán", "siobhan"}, {"Jürgen", "juergen"},
};
static const fh_word western_last[] = {
    {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Jones", "jones"}, {"Miller", "miller"}, {"Davis", "davis"}, {"Wilson", "wilson"},
    {"Anderson", "anderson"}, {"Taylor", "taylor"}, {"Moore", "moore"}, {"Martin", "martin"},
    {"Jackson", "jackson"}, {"Thompson", "thompson"}, {"White", "white"}, {"Harris", "harris"},
    {"Clark", "clark"}, {"Lewis", "lewis"}, {"Walker", "walker"}, {"Young", "young"},
    {"Allen", "allen"}, {"King", "king"}, {"Wright", "wright"}, {"Scott", "scott"},
    {"Green", "green"}, {"Baker", "baker"}, {"Adams", "adams"}, {"Nelson", "nelson"},
    {"Hill", "hill"}, {"Campbell", "campbell"}, {"Mitchell", "mitchell"}, {"Roberts", "roberts"},
    {"Carter", "carter"}, {"Evans", "evans"}, {"Turner", "turner"}, {"Parker", "parker"},
    {"O'Brien", "obrien"}, {"Müller", "mueller"}, {"Nuñez", "nunez"}, {"García", "garcia"},
    {"Søndergaard", "sondergaard"}, {"Öztürk", "ozturk"}, {"Dvořák", "dvorak"},
    {"Lefèvre", "lefevre"}, {"Gonçalves", "goncalves"}, {"Łukasiewicz", "lukasiewicz"},
    {"Ångström", "angstrom"}, {"Schäfer", "schaefer"}, {"Peña", "pena"},
    {"Rodríguez", "rodriguez"}, {"Kovačević", "kovacevic"}, {"van der Berg", "vanderberg"},
};
static const fh_word chinese_first[] = {
    {"伟", "wei"}, {"娜", "na"}, {"芳", "fang"}, {"敏", "min"}, {"静", "jing"}, {"磊", "lei"},
    {"洋", "yang"}, {"秀英", "xiuying"}, {"晓明", "xiaoming"}, {"丽", "li"},
};
static const fh_word chinese_last[] = {
    {"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
    {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
};
static const fh_word japanese_first[] = {
    {"健", "ken"}, {"翔太", "shota"}, {"美咲", "misaki"}, {"陽菜", "hina"}, {"大輔", "daisuke"},
    {"さくら", "sakura"}, {"拓海", "takumi"}, {"結衣", "yui"},
};
static const fh_word japanese_last[] = {
    {"佐藤", "sato"}, {"田中", "tanaka"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"},
    {"渡辺", "watanabe"}, {"伊藤", "ito"}, {"山本", "yamamoto"}, {"中村", "nakamura"},
};
static const fh_word korean_first[] = {
    {"민준", "minjun"}, {"서연", "seoyeon"}, {"지훈", "jihoon"}, {"하은", "haeun"}, {"도윤", "doyun"},
};
static const fh_word korean_last[] = {
    {"김", "kim"}, {"박", "park"}, {"이", "lee"}, {"최", "choi"}, {"정", "jung"},
};

static const char *const western_cities[] = {
    "New York", "Chicago", "Austin", "Seattle", "Boston", "Toronto", "London", "Manchester",
    "Dublin", "Berlin", "München", "Zürich", "Paris", "Lyon", "Madrid", "São Paulo", "Malmö",
    "København", "Kraków", "Praha", "İstanbul",
};
static const char *const chinese_cities[] = {"北京", "上海", "深圳", "Shanghai", "Hangzhou"};
static const char *const japanese_cities[] = {"東京", "大阪", "Kyoto", "横浜"};
static const char *const korean_cities[] = {"서울", "부산", "Seoul"};

const fh_culture fh_cultures[] = {
    {western_first, western_last, N(western_first), N(western_last), "United States",
     western_cities, N(western_cities), "+1"},
    {chinese_first, chinese_last, N(chinese_first), N(chinese_last), "China", chinese_cities,
     N(chinese_cities), "+86"},
    {japanese_first, japanese_last, N(japanese_first), N(japanese_last), "Japan",
     japanese_cities, N(japanese_cities), "+81"},
    {korean_first, korean_last, N(korean_first), N(korean_last), "South Korea", korean_cities,
     N(korean_cities), "+82"},
};
const size_t fh_n_cultures = N(fh_cultures);

const fh_word fh_company_adjectives[] = {
    {"Blue", "blue"}, {"Northern", "northern"}, {"Bright", "bright"}, {"Silver", "silver"},
    {"Golden", "golden"}, {"Rapid", "rapid"}, {"Green", "green"}, {"Quantum", "quantum"},
    {"Urban", "urban"}, {"Pacific", "pacific"}, {"Alpine", "alpine"}, {"Nordic", "nordic"},
    {"Sunrise", "sunrise"}, {"Crimson", "crimson"}, {"Iron", "iron"}, {"Summit", "summit"},
    {"Coastal", "coastal"}, {"Prairie", "prairie"}, {"Lumière", "lumiere"},
    {"Grünwald", "gruenwald"}, {"Søholm", "soeholm"}, {"Ōkami", "okami"}, {"東京", "tokyo"},
    {"上海", "shanghai"}, {"Café", "cafe"}, {"Polaris", "polaris"}, {"Cedar", "cedar"},
    {"Harbor", "harbor"}, {"Velvet", "velvet"}, {"Atlas", "atlas"},
};
const size_t fh_n_company_adjectives = N(fh_company_adjectives);

const fh_word fh_company_nouns[] = {
    {"Analytics", "analytics"}, {"Logistics", "logistics"}, {"Foods", "foods"},
    {"Systems", "systems"}, {"Labs", "labs"}, {"Partners", "partners"},
    {"Dynamics", "dynamics"}, {"Works", "works"}, {"Energy", "energy"}, {"Health", "health"},
    {"Robotics", "robotics"}, {"Media", "media"}, {"Textiles", "textiles"},
    {"Holdings", "holdings"}, {"Studios", "studios"}, {"Software", "software"},
    {"Consulting", "consulting"}, {"Brewing", "brewing"}, {"Bank", "bank"}, {"Motors", "motors"},
};
const size_t fh_n_company_nouns = N(fh_company_nouns);

const char *const fh_company_suffixes[] = {"Inc.", "LLC", "GmbH", "Ltd", "AB", "S.A.", "Co.",
                                           "株式会社", "", "", ""};
const size_t fh_n_company_suffixes = N(fh_company_suffixes);

const char *const fh_tlds[] = {"com", "io", "co", "de", "net", "example"};
const size_t fh_n_tlds = N(fh_tlds);

const char *const fh_free_mail[] = {"gmail.example", "outlook.example", "proton.example",
                                    "yahoo.example", "web.example"};
const size_t fh_n_free_mail = N(fh_free_mail);

const char *const fh_job_titles[] = {
    "CEO", "CTO", "VP Sales", "Head of Marketing", "Account Executive", "Procurement Manager",
    "Software Engineer", "Operations Lead", "Office Manager", "Data Analyst",
    "Directeur commercial", "Geschäftsführer", "営業部長", "产品经理", "Customer Success Manager",
};
const size_t fh_n_job_titles = N(fh_job_titles);

const char *const fh_deal_kinds[] = {
    "Starter plan", "Professional plan", "Enterprise plan", "250 seats", "Annual renewal",
    "Pilot project", "Onboarding package", "Expansion – EMEA", "Support contract",
    "API add-on",
};
const size_t fh_n_deal_kinds = N(fh_deal_kinds);

const char *const fh_ticket_subjects[] = {
    "Cannot log in after password reset", "Invoice is missing the VAT number",
    "Export to CSV breaks umlauts (ä, ö, ü)", "Feature request: dark mode",
    "Sync stuck at 99%", "请帮我重置密码", "Refund for duplicate charge",
    "API returns 429 during nightly import", "How do I add a second pipeline?",
    "ログインできません", "Webhook deliveries delayed", "Change billing address",
};
const size_t fh_n_ticket_subjects = N(fh_ticket_subjects);

const char *const fh_note_bodies[] = {
    "<p>Called about the renewal; follow up next week.</p>",
    "<p>Met at the trade fair in Köln. Interested in the API add-on.</p>",
    "<p>Asked for a quote with volume discount (≥ 200 seats).</p>",
    "<p>Left a voicemail. 留言了。</p>",
    "<p>Sent the onboarding checklist and the \"getting started\" guide.</p>",
    "<p>Budget approved for Q3 — decision maker is the CFO.</p>",
};
const size_t fh_n_note_bodies = N(fh_note_bodies);

const char *const fh_task_subjects[] = {
    "Follow up on proposal", "Send contract draft", "Schedule demo", "Check payment status",
    "Prepare QBR slides", "Call back about the invoice", "Renewal reminder",
};
const size_t fh_n_task_subjects = N(fh_task_subjects);

const char *const fh_call_titles[] = {
    "Discovery call", "Pricing discussion", "Support escalation", "Quarterly check-in",
    "Contract negotiation",
};
const size_t fh_n_call_titles = N(fh_call_titles);

const char *const fh_meeting_titles[] = {
    "Product demo", "Kick-off meeting", "Quarterly business review", "Technical deep dive",
    "Contract walkthrough", "Onboarding session", "Lunch with the buying committee",
};
const size_t fh_n_meeting_titles = N(fh_meeting_titles);

const char *const fh_meeting_locations[] = {
    "Zoom", "Google Meet", "Microsoft Teams", "Customer office", "Café Müller, Köln",
    "東京オフィス 3F",
};
const size_t fh_n_meeting_locations = N(fh_meeting_locations);

const char *const fh_email_subjects[] = {
    "Re: your question about pricing", "Proposal attached", "Following up on our call",
    "Invoice #4411 — payment reminder", "Welcome aboard!", "Agenda for Thursday",
    "Re: Re: contract redlines", "Kurze Frage zur Lizenz", "关于续约的问题",
};
const size_t fh_n_email_subjects = N(fh_email_subjects);

const char *const fh_email_texts[] = {
    "Hi,\nthanks for your time today. As promised, the proposal is attached.\nBest regards",
    "Hello,\njust checking in on the contract. Any questions from legal?\nCheers",
    "Hi there,\nthe invoice is still open. Could you look into it this week?\nThanks",
    "Hallo,\nvielen Dank für das Gespräch. Die Unterlagen folgen morgen.\nGrüße",
    "Hi,\nwe are all set for the demo on Thursday at 10:00. Calendar invite to follow.",
};
const size_t fh_n_email_texts = N(fh_email_texts);

const fh_product_spec fh_products[] = {
    {"Starter plan", "Up to 5 users, email support", "PLAN-STARTER", "49", "monthly"},
    {"Professional plan", "Up to 50 users, phone support", "PLAN-PRO", "499", "monthly"},
    {"Enterprise plan", "Unlimited users, SSO, audit log", "PLAN-ENT", "1999", "annually"},
    {"API add-on", "Higher API limits", "ADD-API", "150", "monthly"},
    {"Onboarding package", "Two weeks of guided setup", "SVC-ONBOARD", "3000", NULL},
    {"Training day", "On-site training for up to 12 people", "SVC-TRAIN", "1200", NULL},
    {"Extra storage 100 GB", "Additional storage", "ADD-STORAGE", "25", "monthly"},
    {"Premium support", "24/7 support with 1 h response", "SUP-PREMIUM", "899", "quarterly"},
    {"Data migration", "Import from legacy CRM", "SVC-MIGRATE", "2500", NULL},
    {"Custom integration", "Hours of integration work", "SVC-INTEG", "140.50", NULL},
    {"Hardware kit", "Barcode scanner and dock", "HW-KIT", "349.99", NULL},
    {"Analytics add-on", "Dashboards and exports", "ADD-ANALYTICS", "99", "monthly"},
    {"Sandbox portal", "A test environment", "ADD-SANDBOX", "75", "monthly"},
    {"SMS credits (1000)", "Prepaid SMS", "CRED-SMS", "30", NULL},
    {"Consulting hour", "Expert consulting", "SVC-CONSULT", "180", NULL},
    {"Mobile add-on", "Offline mobile app", "ADD-MOBILE", "35", "monthly"},
    {"Compliance pack", "GDPR and HIPAA tooling", "ADD-COMPLY", "299", "annually"},
    {"Partner listing", "Marketplace listing", "MKT-LIST", "500", "annually"},
    {"Workshop", "Half-day process workshop", "SVC-WORKSHOP", "800", NULL},
    {"Légende bundle", "Localised templates (FR/DE/JP)", "ADD-L10N", "60", "monthly"},
};
const size_t fh_n_products = N(fh_products);

const fh_vehicle_model fh_vehicle_models[] = {
    {"Volkswagen", "Golf"}, {"Toyota", "Corolla"}, {"Tesla", "Model 3"}, {"Ford", "Transit"},
    {"Škoda", "Octavia"}, {"Renault", "Mégane"}, {"BMW", "320d"}, {"Volvo", "XC60"},
    {"Honda", "Civic"}, {"Mercedes-Benz", "Sprinter"}, {"Kia", "EV6"}, {"Fiat", "500"},
};
const size_t fh_n_vehicle_models = N(fh_vehicle_models);
