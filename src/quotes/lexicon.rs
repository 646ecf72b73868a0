//! Word lists used by the tokenizer, the name finder and the attribution rules.
//!
//! Every lookup takes an already lower-cased word. The sets are built once on
//! first use; hashing keeps every lookup O(1), which matters because the name
//! finder consults some of them for every capitalised word of the article.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Declares a lookup function backed by a lazily built hash set.
macro_rules! word_set {
    ($(#[$meta:meta])* $name:ident, [$($word:literal),* $(,)?]) => {
        $(#[$meta])*
        pub(crate) fn $name(word: &str) -> bool {
            static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
            SET.get_or_init(|| [$($word),*].into_iter().collect())
                .contains(word)
        }
    };
}

word_set!(
    /// Finite verb forms that introduce or attribute speech.
    ///
    /// Plural nouns that look like verbs (`remarks`, `claims`, `notes`) are
    /// left out on purpose: "his remarks came as ..." is not an attribution.
    finite_cue,
    [
        "say", "says", "said", "tell", "tells", "told", "add", "adds", "added", "warn",
        "warns", "warned", "assert", "asserts", "asserted", "insist", "insists", "insisted",
        "stress", "stressed", "write", "writes", "wrote", "tweet", "tweeted", "posted",
        "vow", "vowed", "threaten", "threatens", "threatened", "urge", "urges", "urged",
        "declare", "declares", "declared", "note", "noted", "explain", "explains",
        "explained", "argue", "argues", "argued", "claimed", "announce",
        "announces", "announced", "stated", "reiterate", "reiterates",
        "reiterated", "remarked", "commented", "reply", "replied", "respond", "responds",
        "responded", "answered", "ask", "asks", "asked", "acknowledge", "acknowledges",
        "acknowledged", "admit", "admits", "admitted", "concede", "concedes", "conceded",
        "contend", "contends", "contended", "maintain", "maintains", "maintained",
        "observed", "recalled", "suggest", "suggests", "suggested", "predict", "predicts",
        "predicted", "promised", "pledged", "boast", "boasts", "boasted", "complain",
        "complains", "complained", "lament", "laments", "lamented", "joked", "quipped",
        "shouted", "yelled", "whispered", "chanted", "cried", "exclaimed", "proclaim",
        "proclaims", "proclaimed", "confirm", "confirms", "confirmed", "deny", "denies",
        "denied", "retort", "retorts", "retorted", "countered", "protested", "demanded",
        "agreed", "conclude", "concludes", "concluded", "continued", "testify",
        "testifies", "testified", "emphasise", "emphasises", "emphasised", "emphasize",
        "emphasizes", "emphasized", "underlined", "caution", "cautions", "cautioned",
        "allege", "alleges", "alleged", "mused", "fumed", "snapped", "thundered", "railed",
        "blasted", "slammed", "wondered", "reported", "recounted", "hinted", "assured",
        "reassured", "texted", "emailed", "e-mailed", "pleaded", "begged", "scoffed", "sighed",
        "reflected", "revealed", "reveals", "disclosed", "clarified", "swore", "pointed",
        "accused", "charged", "iterated", "repeated", "reaffirmed", "signalled", "signaled", "spoke", "called", "described",
    ]
);

word_set!(
    /// Speech verbs that are also plural nouns (`claims`, `remarks`): a cue
    /// only right after a name or a pronoun (`Ilunga claims`).
    ambiguous_cue,
    [
        "claims", "notes", "remarks", "comments", "reports", "promises", "demands",
        "pledges", "vows", "tweets", "posts", "jokes", "quips", "replies", "states",
        "answers", "recalls", "charges", "counters", "cries", "state", "claim",
    ]
);

word_set!(
    /// Nouns for something said (`His answer was short: "..."`): with a
    /// possessive pronoun they point at the speaker.
    speech_noun,
    [
        "answer", "reply", "response", "message", "verdict", "reaction", "comment",
        "comments", "words", "view", "assessment", "advice", "warning", "explanation",
        "retort", "plea", "appeal", "argument", "point", "conclusion", "prediction",
    ]
);

word_set!(
    /// Present participles of speech verbs (`..., saying "..."`): their subject
    /// is the subject of the main clause, not the word before them.
    participle_cue,
    [
        "saying", "telling", "adding", "warning", "asserting", "insisting", "stressing",
        "writing", "tweeting", "posting", "vowing", "threatening", "urging", "declaring",
        "noting", "explaining", "arguing", "claiming", "announcing", "stating",
        "reiterating", "replying", "responding", "asking", "acknowledging", "admitting",
        "conceding", "contending", "suggesting", "predicting", "promising", "pledging",
        "boasting", "complaining", "lamenting", "joking", "confirming", "denying",
        "emphasising", "emphasizing", "cautioning", "alleging", "accusing", "calling",
        "describing",
    ]
);

word_set!(
    /// Speech verbs that may stand before their subject (`"...," said X`).
    invertible_cue,
    [
        "said", "says", "added", "adds", "wrote", "writes", "asked", "asks", "continued",
        "explained", "insisted", "warned", "warns", "noted", "declared", "replied",
        "recalled", "tweeted", "argued", "stressed", "admitted", "cautioned", "claimed",
        "observed", "remarked", "countered", "concluded", "quipped", "joked", "retorted",
        "shouted", "exclaimed", "asserted", "reiterated", "commented", "responded",
        "answered", "conceded", "lamented", "complained", "boasted", "predicted",
        "suggested", "thundered", "fumed", "mused", "sighed", "snapped", "posted",
    ]
);

word_set!(
    /// Words that end a noun phrase when met while reading it: function words,
    /// auxiliaries and prepositions other than the few that may join a title.
    stop_word,
    [
        "and", "but", "or", "nor", "that", "which", "who", "whom", "whose", "when", "while",
        "where", "whether", "as", "because", "since", "if", "unless", "although", "though",
        "so", "than", "then", "also", "in", "on", "into", "onto", "with", "without", "by",
        "to", "about", "after", "before", "during", "over", "under", "against", "between",
        "through", "across", "around", "amid", "among", "until", "via", "per", "is", "was",
        "are", "were", "be", "been", "being", "has", "have", "had", "having", "do", "does",
        "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
        "not", "no", "yes", "there", "here", "what", "why", "how", "it", "its", "he", "she",
        "they", "we", "i", "you", "him", "her", "them", "us", "me", "his", "their", "our",
        "my", "your", "this", "these", "those", "such", "very", "too", "just", "only",
        "even", "still", "yet", "already", "again", "once", "now", "today", "yesterday",
        "tonight", "tomorrow", "earlier", "later", "recently", "previously", "separately",
        "however", "meanwhile", "according", "like", "unlike", "reporters", "journalists",
        "let", "up", "out", "off", "down", "back", "away", "more", "most", "less", "least",
        "all", "both", "each", "every", "either", "neither", "other", "another", "own",
        "same", "some", "any", "many", "much", "few", "several", "one", "said", "says",
    ]
);

word_set!(
    /// Words that may sit between a subject and its speech verb
    /// (`Blinken earlier told`, `Smith has said`).
    skippable_before_cue,
    [
        "also", "earlier", "later", "then", "previously", "recently", "again", "once",
        "today", "yesterday", "tonight", "separately", "subsequently", "repeatedly",
        "has", "had", "have", "would", "will", "could", "might", "may", "had", "already",
        "further", "reportedly", "simply", "just", "publicly", "privately", "quickly",
        "firmly", "angrily", "bluntly", "flatly", "calmly", "openly", "candidly",
        "frankly", "defiantly", "finally", "first", "last", "once", "twice", "always",
        "never", "often", "herself", "himself", "themselves", "itself", "personally",
        "jokingly", "wryly", "tearfully", "proudly", "curtly", "briefly", "separately",
    ]
);

word_set!(
    /// Determiners and possessive pronouns that open a noun phrase.
    determiner,
    [
        "the", "a", "an", "this", "these", "those", "its", "his", "her", "their",
        "our", "my", "your", "one", "another", "some", "several", "two", "three", "four",
        "five", "many", "most",
    ]
);

word_set!(
    /// Words joining the parts of a title or an institution's name
    /// (`Secretary of State`, `a spokesman for the ministry`).
    np_connector,
    ["of", "for", "at"]
);

word_set!(
    /// Particles that may appear inside a person's name (`Ludwig van Beethoven`).
    name_particle,
    [
        "de", "van", "von", "bin", "bint", "al", "el", "da", "di", "du", "la", "le", "del",
        "della", "der", "den", "ter", "ibn", "dos", "das", "st",
    ]
);

word_set!(
    /// Title words written with a capital before a name (`Russian President Vladimir
    /// Putin`, `Foreign Secretary Truss`, `Coach Lisa Park`).
    title_word,
    [
        "president", "vice", "prime", "minister", "secretary", "chancellor", "senator",
        "sen", "sen.", "rep", "rep.", "representative", "congressman", "congresswoman",
        "governor", "gov", "gov.", "mayor", "general", "gen", "gen.", "colonel", "col",
        "col.", "major", "maj.", "captain", "capt", "capt.", "lieutenant", "lt", "lt.",
        "sergeant", "sgt", "sgt.", "admiral", "adm.", "commander", "marshal", "judge",
        "justice", "chief", "director", "coach", "manager", "chairman", "chairwoman",
        "chair", "ceo", "cfo", "coo", "king", "queen", "prince", "princess", "pope",
        "cardinal", "bishop", "archbishop", "rabbi", "imam", "father", "sister", "brother",
        "reverend", "rev", "rev.", "dr", "dr.", "doctor", "professor", "prof", "prof.",
        "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "sir", "dame", "lord",
        "lady", "attorney", "ambassador", "envoy", "commissioner", "inspector", "detective",
        "det.", "officer", "deputy", "speaker", "leader", "spokesman", "spokeswoman",
        "spokesperson", "foreign", "defence", "defense", "state", "interior", "finance",
        "home", "health", "treasury", "affairs", "attache", "premier", "sheikh", "emir",
        "sultan", "crown", "ayatollah", "superintendent", "constable", "sheriff",
        "councillor", "councilman", "councilwoman", "alderman", "dean", "provost", "editor",
        "executive", "founder", "president-elect", "senior", "assistant", "acting",
        "interim", "former", "first", "secretary-general", "opposition", "party",
        "economy", "trade", "labour", "labor", "energy", "education", "transport",
        "environment", "agriculture", "culture", "sports", "communications", "security",
        "intelligence", "national", "general-secretary", "undersecretary", "duke",
        "duchess", "earl", "count", "countess", "baron", "baroness", "sheikha", "shah",
        "chieftain", "elder", "pastor", "striker", "midfielder", "defender", "goalkeeper",
        "forward", "skipper", "trainer", "referee", "umpire", "manager", "boss", "owner",
        "mp", "mep", "msp", "mla", "councilor", "harbourmaster", "harbormaster",
    ]
);

word_set!(
    /// Courtesy titles that also tell a person's gender or standing.
    honorific,
    [
        "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "dr", "dr.", "prof",
        "prof.", "sir", "dame", "lord", "lady", "rev", "rev.",
    ]
);

word_set!(
    /// Lower-case nouns naming a person's role; they form titles before a name
    /// (`ministry spokesman Zhang Wei`) and speakers without a name.
    role_noun,
    [
        "spokesman", "spokeswoman", "spokesperson", "leader", "minister", "secretary",
        "chief", "director", "president", "chairman", "chairwoman", "chair", "coach",
        "manager", "captain", "striker", "midfielder", "defender", "goalkeeper", "forward",
        "winger", "player", "lawyer", "attorney", "barrister", "solicitor", "judge",
        "prosecutor", "counsel", "analyst", "economist", "professor", "fellow",
        "researcher", "scientist", "official", "officer", "diplomat", "ambassador", "envoy",
        "adviser", "advisor", "aide", "senator", "governor", "mayor", "executive", "ceo",
        "founder", "owner", "organiser", "organizer", "activist", "campaigner", "commander",
        "general", "colonel", "lieutenant", "sergeant", "detective", "inspector",
        "commissioner", "negotiator", "representative", "member", "lawmaker", "legislator",
        "mp", "candidate", "chancellor", "premier", "head", "boss", "veteran", "star",
        "champion", "rival", "teammate", "resident", "witness", "survivor", "mother",
        "father", "widow", "widower", "husband", "wife", "son", "daughter", "brother",
        "sister", "worker", "nurse", "doctor", "teacher", "student", "farmer", "driver",
        "pilot", "steward", "convenor", "convener", "strategist", "pollster", "historian",
        "editor", "reporter", "journalist", "correspondent", "columnist", "author",
        "novelist", "singer", "actor", "actress", "businessman", "businesswoman",
        "congressman", "congresswoman", "councillor", "councilman", "councilwoman",
        "trustee", "treasurer", "administrator", "superintendent", "principal", "dean",
        "chaplain", "priest", "pastor", "bishop", "cardinal", "imam", "rabbi", "king",
        "queen", "prince", "princess", "referee", "umpire", "rider", "cyclist", "runner",
        "boxer", "fighter", "sprinter", "swimmer", "jockey", "trainer", "agent",
        "promoter", "mediator", "arbitrator", "regulator", "auditor", "investor",
        "shareholder", "banker", "trader", "broker", "entrepreneur", "engineer",
        "consultant", "expert", "specialist", "physician", "surgeon", "paramedic",
        "firefighter", "commentator", "pundit", "presenter", "anchor", "producer",
        "filmmaker", "artist", "musician", "composer", "writer", "poet", "photographer",
        "landlord", "tenant", "protester", "demonstrator", "shopkeeper", "vendor",
        "official", "officials", "skipper", "boss", "deputy", "negotiators", "delegate",
        "secretary-general", "general-secretary", "chairperson", "frontman", "sheriff",
        "policeman", "policewoman", "man", "woman", "source", "insider", "observer",
        "commenter", "blogger", "tipster", "caller", "viewer", "reader",
    ]
);

word_set!(
    /// Words marking an organisation, a place or an event rather than a person.
    org_word,
    [
        "ministry", "department", "council", "party", "union", "bank", "group", "inc",
        "inc.", "corp", "corp.", "corporation", "company", "co", "co.", "ltd", "ltd.",
        "llc", "plc", "university", "college", "institute", "institution", "agency",
        "office", "committee", "commission", "association", "federation", "league", "club",
        "fc", "united", "city", "forces", "army", "navy", "police", "times", "news",
        "journal", "airport", "hospital", "school", "centre", "center", "foundation",
        "board", "authority", "service", "services", "network", "airlines", "airways",
        "motors", "holdings", "partners", "media", "republic", "kingdom", "court", "senate",
        "congress", "parliament", "assembly", "government", "administration", "embassy",
        "consulate", "county", "province", "region", "states", "stadium", "arena",
        "championship", "olympics", "international", "organization", "organisation",
        "tribunal", "conference", "ministries", "industries", "technologies",
        "pharmaceuticals", "bancorp", "entertainment",
    ]
);

word_set!(
    /// Words marking a place or an institution that are also common surnames
    /// (`Park`, `Hall`, `Plant`): they rule out a person only when nothing else
    /// (a known given name, a title) says it is one.
    weak_org_word,
    [
        "street", "post", "station", "church", "fund", "house", "square", "cup", "games",
        "alliance", "coalition", "front", "movement", "brigade", "corps", "guard",
        "command", "force", "bureau", "press", "tv", "radio", "channel", "exchange",
        "market", "reserve", "museum", "library", "gallery", "theatre", "theater",
        "festival", "awards", "prize", "summit", "forum", "war", "day", "christmas",
        "easter", "road", "avenue", "bridge", "river", "sea", "ocean", "lake", "mountains",
        "island", "islands", "valley", "peninsula", "strait", "gulf", "bay", "coast",
        "desert", "park", "hall", "tower", "palace", "castle", "prison", "jail", "base",
        "port", "harbour", "harbor", "mall", "hotel", "restaurant", "factory", "plant",
        "mine", "field", "ground", "district", "quarter", "village", "town", "capital",
        "territory", "zone", "systems", "energy", "oil", "gas", "trust", "ventures", "labs",
        "studios", "records", "pictures", "tribune", "herald", "gazette", "chronicle",
        "daily", "weekly", "magazine", "review", "report", "act", "bill", "treaty",
        "accord", "agreement", "plan", "programme", "program", "project", "mission",
        "operation", "order", "law", "code", "constitution", "charter", "declaration",
        "protocol", "convention", "initiative", "index", "stock",
    ]
);

word_set!(
    /// Single-word organisations often seen as the subject of a speech verb.
    org_name,
    [
        "nato", "kremlin", "pentagon", "reuters", "tass", "xinhua", "bbc", "cnn", "fifa",
        "uefa", "google", "apple", "amazon", "microsoft", "facebook", "meta", "twitter",
        "congress", "parliament", "government", "police", "interpol", "europol", "hamas",
        "hezbollah", "taliban", "opec", "un", "eu", "who", "imf", "ecb", "fed", "whitehall",
        "downing", "elysee", "bundestag", "duma", "knesset", "senate", "nasa", "ap", "afp",
        "bloomberg", "unicef", "unesco", "ioc", "nfl", "nba", "mlb", "nhl", "tesla",
        "boeing", "airbus", "toyota", "samsung", "huawei", "gazprom", "exxon", "shell",
        "bp", "nokia", "netflix", "disney", "spotify", "uber", "nike", "adidas",
    ]
);

word_set!(
    /// Countries, cities and regions; a word in this set never starts a person name.
    place,
    [
        "afghanistan", "albania", "algeria", "andorra", "angola", "argentina", "armenia",
        "australia", "austria", "azerbaijan", "bahrain", "bangladesh", "belarus",
        "belgium", "belize", "benin", "bhutan", "bolivia", "bosnia", "botswana", "brazil",
        "brunei", "bulgaria", "burundi", "cambodia", "cameroon", "canada", "chad", "chile",
        "china", "colombia", "congo", "croatia", "cuba", "cyprus", "czechia", "denmark",
        "djibouti", "ecuador", "egypt", "eritrea", "estonia", "eswatini", "ethiopia",
        "fiji", "finland", "france", "gabon", "gambia", "georgia", "germany", "ghana",
        "greece", "guatemala", "guinea", "guyana", "haiti", "honduras", "hungary",
        "iceland", "india", "indonesia", "iran", "iraq", "ireland", "israel", "italy",
        "jamaica", "japan", "jordan", "kazakhstan", "kenya", "kosovo", "kuwait",
        "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho", "liberia", "libya",
        "lithuania", "luxembourg", "madagascar", "malawi", "malaysia", "maldives", "mali",
        "malta", "mauritania", "mauritius", "mexico", "moldova", "monaco", "mongolia",
        "montenegro", "morocco", "mozambique", "myanmar", "namibia", "nepal",
        "netherlands", "nicaragua", "niger", "nigeria", "norway", "oman", "pakistan",
        "palestine", "panama", "paraguay", "peru", "philippines", "poland", "portugal",
        "qatar", "romania", "russia", "rwanda", "samoa", "senegal", "serbia", "singapore",
        "slovakia", "slovenia", "somalia", "spain", "sudan", "suriname", "sweden",
        "switzerland", "syria", "taiwan", "tajikistan", "tanzania", "thailand", "togo",
        "tonga", "tunisia", "turkey", "turkmenistan", "uganda", "ukraine", "uruguay",
        "uzbekistan", "vanuatu", "venezuela", "vietnam", "yemen", "zambia", "zimbabwe",
        "britain", "england", "scotland", "wales", "america", "europe", "asia", "africa",
        "antarctica", "oceania", "crimea", "donbas", "donbass", "kashmir", "gaza",
        "tibet", "xinjiang", "catalonia", "kurdistan", "chechnya", "moscow", "kyiv",
        "kiev", "washington", "beijing", "london", "paris", "berlin", "brussels", "geneva",
        "tehran", "tokyo", "seoul", "delhi", "mumbai", "karachi", "lagos", "nairobi",
        "cairo", "riyadh", "dubai", "doha", "ankara", "istanbul", "athens", "rome",
        "madrid", "lisbon", "dublin", "warsaw", "prague", "vienna", "budapest", "minsk",
        "vilnius", "riga", "tallinn", "helsinki", "stockholm", "oslo", "copenhagen",
        "amsterdam", "zurich", "milan", "munich", "frankfurt", "hamburg", "manchester",
        "liverpool", "birmingham", "glasgow", "edinburgh", "cardiff", "belfast", "toronto",
        "montreal", "vancouver", "ottawa", "chicago", "boston", "houston", "dallas",
        "miami", "atlanta", "seattle", "denver", "phoenix", "detroit", "philadelphia",
        "baltimore", "sydney", "melbourne", "brisbane", "perth", "auckland", "wellington",
        "jakarta", "manila", "bangkok", "hanoi", "shanghai", "shenzhen", "taipei",
        "pyongyang", "kabul", "baghdad", "damascus", "beirut", "jerusalem", "ramallah",
        "amman", "sanaa", "khartoum", "tripoli", "tunis", "algiers", "rabat", "dakar",
        "accra", "abuja", "kinshasa", "luanda", "harare", "johannesburg", "pretoria",
        "caracas", "bogota", "lima", "santiago", "quito", "havana", "brasilia",
        "kharkiv", "odesa", "odessa", "mariupol", "lviv", "sevastopol", "donetsk",
        "luhansk", "krasnodar", "minsk", "tbilisi", "yerevan", "baku", "astana",
        "tashkent", "westminster", "brooklyn", "manhattan", "hollywood", "silicon",
        "normandy", "bavaria", "siberia", "balkans", "caucasus", "sahel", "scandinavia",
        "arctic", "atlantic", "pacific", "mediterranean", "baltic", "nato", "kremlin",
    ]
);

word_set!(
    /// First words of multi-word place names (`New York`, `South Africa`).
    place_prefix,
    [
        "new", "north", "south", "east", "west", "san", "santa", "los", "las", "saint",
        "port", "fort", "mount", "lake", "cape", "hong", "abu", "tel", "buenos", "rio",
        "sri", "costa", "puerto", "saudi", "united", "middle", "far", "central", "latin",
        "western", "eastern", "northern", "southern", "greater", "upper", "lower", "el",
        "la", "le", "st", "st.", "great", "sierra", "gran", "grand", "royal",
    ]
);

word_set!(
    /// Nationality and group adjectives; `Russian` alone is not a person.
    demonym,
    [
        "russian", "american", "british", "chinese", "french", "german", "ukrainian",
        "english", "scottish", "welsh", "irish", "italian", "spanish", "portuguese",
        "dutch", "belgian", "swiss", "austrian", "polish", "czech", "hungarian", "greek",
        "turkish", "iranian", "iraqi", "syrian", "israeli", "palestinian", "lebanese",
        "egyptian", "saudi", "emirati", "qatari", "indian", "pakistani", "afghan",
        "bangladeshi", "japanese", "korean", "vietnamese", "thai", "indonesian",
        "malaysian", "filipino", "australian", "canadian", "mexican", "brazilian",
        "argentine", "argentinian", "chilean", "colombian", "venezuelan", "cuban",
        "nigerian", "kenyan", "ethiopian", "somali", "sudanese", "south", "african",
        "european", "asian", "arab", "western", "eastern", "soviet", "belarusian",
        "georgian", "armenian", "azerbaijani", "kazakh", "uzbek", "swedish", "norwegian",
        "danish", "finnish", "icelandic", "romanian", "bulgarian", "serbian", "croatian",
        "bosnian", "albanian", "slovak", "slovenian", "estonian", "latvian", "lithuanian",
        "moldovan", "libyan", "tunisian", "algerian", "moroccan", "ghanaian", "senegalese",
        "congolese", "rwandan", "ugandan", "tanzanian", "zimbabwean", "zambian",
        "peruvian", "bolivian", "ecuadorian", "uruguayan", "paraguayan", "taiwanese",
        "tibetan", "kurdish", "yemeni", "jordanian", "kuwaiti", "omani", "bahraini",
        "republican", "democratic", "democrat", "conservative", "liberal", "labour",
        "socialist", "communist", "green", "catholic", "muslim", "christian", "jewish",
        "sunni", "shia", "shiite", "orthodox", "protestant", "federal", "national",
        "state", "royal", "imperial", "global", "international", "regional", "local",
        "frenchman", "frenchwoman", "dutchman", "dutchwoman", "englishman", "englishwoman",
        "scotsman", "scotswoman", "welshman", "welshwoman", "irishman", "irishwoman",
        "spaniard", "briton", "swede", "dane", "finn", "pole", "scot", "brazilian",
        "argentine", "kiwi", "aussie",
    ]
);

word_set!(
    /// Weekdays and months, with their common abbreviations.
    calendar_word,
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "jan.", "feb.", "mar.", "apr.",
        "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "mon.", "tue.",
        "wed.", "thu.", "fri.", "sat.", "sun.", "weekend", "morning", "afternoon",
        "evening", "night",
    ]
);

word_set!(
    /// Capitalised words that start sentences but never names.
    sentence_starter,
    [
        "the", "a", "an", "in", "on", "at", "but", "and", "as", "if", "when", "while",
        "after", "before", "since", "this", "that", "these", "those", "it", "he", "she",
        "they", "we", "i", "his", "her", "their", "our", "its", "my", "your", "there",
        "here", "perhaps", "however", "meanwhile", "yet", "so", "still", "also", "then",
        "now", "today", "yesterday", "earlier", "later", "last", "next", "according",
        "despite", "although", "though", "because", "for", "from", "with", "without",
        "under", "over", "by", "of", "to", "during", "asked", "speaking", "some", "many",
        "most", "all", "both", "each", "every", "no", "not", "other", "another", "such",
        "what", "which", "who", "why", "how", "where", "is", "was", "are", "were", "do",
        "did", "has", "had", "have", "will", "would", "can", "could", "should", "may",
        "might", "must", "instead", "even", "only", "just", "once", "again", "already",
        "almost", "either", "neither", "nor", "or", "unlike", "like", "among", "amid",
        "against", "between", "through", "until", "unless", "whether", "said", "says",
        "added", "writing", "according", "photo", "credit", "read", "more", "related",
        "video", "watch", "update", "updated", "breaking", "exclusive", "analysis",
        "opinion", "editorial", "comment", "live", "why", "inside", "dear", "thanks",
        "please", "yes", "oh", "well", "look", "listen", "first", "second", "third",
        "finally", "overall", "together", "separately", "still", "never", "always",
        "sources", "officials", "police", "witnesses",
    ]
);

word_set!(
    /// Abbreviations whose final period does not end a sentence.
    abbreviation,
    [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "col", "lt", "sgt",
        "capt", "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc",
        "corp", "co", "ltd", "vs", "etc", "e.g", "i.e", "approx", "dept", "est", "u.s",
        "u.k", "u.n", "a.m", "p.m", "maj", "det", "ft", "no",
    ]
);

word_set!(
    /// Short words that follow an apostrophe in elisions (`rock 'n' roll`,
    /// `'em`, `'til`), so that apostrophe is not an opening quote mark.
    elision,
    [
        "n", "em", "til", "tis", "twas", "cause", "cos", "bout", "nuff", "ere", "ello",
        "round", "s",
    ]
);

word_set!(
    /// Plain adjectives and nouns that often stand before a role noun
    /// (`top aide`, `second official`, `fire chief`).
    role_modifier,
    [
        "top", "junior", "lead", "longtime", "local", "military", "government", "club",
        "team", "industry", "prison", "police", "veteran", "retired", "jailed", "exiled",
        "outgoing", "incoming", "regional", "federal", "european", "foreign", "labour",
        "labor", "legal", "medical", "defense", "second", "third", "fourth", "fifth",
        "other", "new", "young", "old", "chief", "fire", "union", "party", "state", "city",
        "county",
    ]
);

word_set!(
    /// Prepositions: a phrase right after one is not a clause's subject.
    preposition,
    [
        "behind", "of", "for", "at", "in", "on", "near", "with", "from", "by", "to",
        "about", "over", "under", "against", "into", "across", "around", "after", "before",
        "between", "without", "within", "beyond", "inside", "outside", "among", "toward",
        "towards", "beside", "opposite",
    ]
);

word_set!(
    /// Nouns for documents; "the statement said" names no speaker.
    document_noun,
    [
        "statement", "report", "letter", "filing", "document", "release", "post", "tweet",
        "message", "note", "memo", "study", "survey", "poll", "ruling", "judgment",
        "judgement", "lawsuit", "complaint", "indictment", "email", "website", "notice",
        "decision", "order", "verdict", "transcript", "video", "footage", "book", "article",
        "editorial", "communique", "communiqué", "bulletin", "petition", "motion", "suit",
    ]
);

word_set!(
    /// Role words and honorifics that mark a man.
    male_marker,
    [
        "mr", "mr.", "sir", "lord", "king", "prince", "duke", "earl", "baron", "sultan",
        "emir", "sheikh", "father", "husband", "son", "brother", "widower", "uncle",
        "grandfather", "boy", "man", "nephew", "headmaster", "policeman", "fireman",
        "sportsman", "statesman", "spokesman", "chairman", "businessman", "congressman",
        "councilman", "frontman", "monk", "pope", "cardinal",
    ]
);

word_set!(
    /// Role words and honorifics that mark a woman.
    female_marker,
    [
        "mrs", "mrs.", "ms", "ms.", "miss", "dame", "lady", "queen", "princess", "duchess",
        "countess", "baroness", "sheikha", "mother", "wife", "daughter", "sister", "widow",
        "aunt", "grandmother", "girl", "woman", "niece", "headmistress", "policewoman",
        "sportswoman", "stateswoman", "spokeswoman", "chairwoman", "businesswoman",
        "congresswoman", "councilwoman", "actress", "nun",
    ]
);

word_set!(
    /// Common given names of men, across many languages.
    male_first_name,
    [
        "aaron", "abdul", "adam", "adrian", "ahmed", "alan", "albert", "alejandro",
        "alexander", "alexei", "alexey", "ali", "andre", "andrew", "andrei", "andriy",
        "angus", "anthony", "antony", "antonio", "arjun", "arthur", "barack", "ben",
        "benjamin", "bernard", "bill", "bob", "boris", "brandon", "brian", "bruce", "carl",
        "carlos", "charles", "chen", "christopher", "colin", "craig", "daniel", "darren",
        "david", "dennis", "diego", "dmitry", "dmitri", "donald", "douglas", "duncan",
        "edward", "emmanuel", "eric", "ethan", "felix", "fernando", "francis", "frank",
        "gary", "george", "gerhard", "giorgio", "gordon", "graham", "greg", "gregory",
        "hamid", "hans", "harold", "harry", "hassan", "henry", "hugo", "hussein", "ian",
        "igor", "ivan", "jack", "jacob", "jake", "james", "jamal", "jason", "javier",
        "jean", "jeff", "jeremy", "jim", "joe", "joel", "john", "jonathan", "jorge",
        "jose", "joseph", "juan", "justin", "kamal", "karl", "keir", "keith", "ken",
        "kenneth", "kevin", "khalid", "kofi", "kwame", "lars", "lee", "leo", "liam",
        "luca", "luis", "luke", "malik", "marco", "marcus", "mark", "martin", "matthew",
        "max", "michael", "miguel", "mikhail", "mohammed", "mohammad", "muhammad", "nathan",
        "ned", "neil", "nicholas", "nick", "nigel", "oleg", "oliver", "omar", "oscar",
        "owen", "pablo", "patrick", "paul", "pedro", "peter", "philip", "pierre", "rafael",
        "rahul", "raj", "ray", "raymond", "ricardo", "richard", "rishi", "robert",
        "roberto", "roger", "ronald", "rory", "ross", "ryan", "samuel", "scott", "sean",
        "sergei", "sergey", "simon", "stefan", "stephen", "steve", "steven", "stuart",
        "tariq", "thomas", "tim", "timothy", "todd", "tom", "tony", "vadim", "victor",
        "viktor", "vikram", "vladimir", "volodymyr", "walter", "wang", "wei", "william",
        "xi", "yuri", "yusuf", "zhang", "emeka", "tunde", "hiroshi", "kenji", "takeshi",
        "ravi", "amit", "sanjay", "mehmet", "mustafa", "recep", "emre", "jens", "olaf",
        "emmet", "declan", "callum", "hamish", "dylan", "tyler", "kyle", "derek", "marty",
        "rodrigo", "mateo", "santiago", "felipe", "andres", "gustavo", "ruben", "hector",
        "lionel", "cristiano", "kylian", "erling", "harvey", "reggie", "theo", "felix",
        "gabriel", "julian", "sebastian", "christian", "nikolai", "pavel", "anton",
        "maxim", "yevgeny", "ramzan", "jalal", "farid", "karim", "nabil", "youssef",
        "idris", "obinna", "chidi", "sipho", "thabo", "desmond", "nelson", "cyril",
        "jacques", "emmanuel", "francois", "olivier", "thierry", "luc", "matteo",
        "giuseppe", "sergio", "enrique", "pierre", "hugh", "ralph", "gerald", "vincent",
        "wesley", "dominic", "elliot", "grant", "howard", "lewis", "murray", "warren",
        "gareth", "rhys", "gwyn", "dafydd", "owain", "niall", "declan", "tomas", "tomás",
        "tomasz", "marek", "piotr", "derek", "colin", "raymond", "kemal", "julian",
        "patrick", "marcus", "graham", "alan", "viktor", "pavel", "daniel",
    ]
);

word_set!(
    /// Common given names of women, across many languages.
    female_first_name,
    [
        "abigail", "ada", "aisha", "alice", "alicia", "amanda", "amelia", "amy", "ana",
        "anastasia", "andrea", "angela", "angelina", "anita", "ann", "anna", "anne",
        "annalena", "ava", "barbara", "beatriz", "bella", "beth", "betty", "brenda",
        "caroline", "carmen", "catherine", "charlotte", "chloe", "christina", "christine",
        "claire", "clara", "claudia", "cristina", "deborah", "diana", "diane", "dolores",
        "elena", "elizabeth", "ella", "ellen", "elsa", "emily", "emma", "erin", "eva",
        "fatima", "fiona", "frances", "gabriela", "giorgia", "grace", "hannah", "helen",
        "hillary", "ingrid", "irina", "isabel", "isabella", "jacinda", "jane", "janet",
        "jennifer", "jessica", "joan", "joanna", "josephine", "julia", "julie", "karen",
        "kamala", "kate", "katherine", "kathleen", "katie", "laura", "lauren", "layla",
        "leila", "linda", "lisa", "liz", "lucy", "lydia", "margaret", "maria", "marie",
        "marina", "marine", "martha", "mary", "maya", "megan", "melissa", "mia",
        "michelle", "mila", "miriam", "monica", "nadia", "nancy", "natalia", "natalie",
        "natasha", "nicola", "nina", "nora", "olena", "olga", "olivia", "pamela",
        "patricia", "paula", "priya", "rachel", "rebecca", "rita", "rosa", "ruth",
        "sabrina", "sally", "samantha", "sandra", "sara", "sarah", "sofia", "sophia",
        "sophie", "stephanie", "susan", "svetlana", "tatiana", "teresa", "theresa",
        "tina", "ursula", "valentina", "valerie", "vanessa", "victoria", "wendy", "yulia",
        "zainab", "zara", "zoe", "marta", "ngozi", "amina", "chioma", "adaeze", "yuki",
        "keiko", "mei", "ling", "sunita", "anjali", "deepa", "aylin", "elif", "greta",
        "sanna", "mette", "kaja", "ilse", "beatrice", "giulia", "francesca", "lucia",
        "ines", "lorena", "ximena", "camila", "valeria", "daniela", "fernanda", "renata",
        "tamara", "oksana", "daria", "ekaterina", "yelena", "ayesha", "nour", "rania",
        "salma", "noura", "thandiwe", "naledi", "gemma", "kirsty", "shona", "siobhan",
        "aoife", "niamh", "mairead", "bridget", "maeve", "harriet", "imogen", "priti",
        "maureen", "doreen", "eileen", "colleen", "noreen", "kathryn", "samira", "naomi",
        "ines", "beth", "lena", "oksana", "leila", "adriana", "helena", "marta", "vera",
        "suella", "nadine", "yvette", "kemi", "angela", "theresa", "penny",
        "jacqueline", "dominique", "sylvie", "amelie", "helene", "marguerite", "agnes",
    ]
);

word_set!(
    /// Given names used by men and women alike: known names, unknown gender.
    unisex_first_name,
    [
        "alex", "sam", "jordan", "taylor", "morgan", "casey", "jamie", "robin", "chris",
        "pat", "kim", "charlie", "riley", "avery", "quinn", "sasha", "dana", "jessie",
        "drew", "jody", "leslie", "lou", "mel", "nikki", "rowan", "sky", "toni", "andy",
        "ashley", "kelly", "shannon", "tracy", "jean-pierre", "eden", "noor", "ari",
    ]
);

/// True for any word naming an institution or a place, strong or weak.
pub(crate) fn institution_word(word: &str) -> bool {
    org_word(word) || weak_org_word(word)
}

/// True if `word` is a known given name of either sex.
pub(crate) fn first_name(word: &str) -> bool {
    male_first_name(word) || female_first_name(word) || unisex_first_name(word)
}

word_set!(
    /// News outlets and the words that name one: an outlet that reports a
    /// quote (`according to Reuters`, `the Ledger reported`) is not its speaker.
    outlet_word,
    [
        "reuters", "ap", "afp", "bbc", "cnn", "tass", "xinhua", "bloomberg", "upi", "dpa",
        "efe", "ansa", "kyodo", "yonhap", "interfax", "ria", "newspaper", "news", "times",
        "post", "journal", "tribune", "herald", "gazette", "chronicle", "magazine", "tv",
        "radio", "television", "broadcaster", "agency", "channel", "daily", "telegraph",
        "guardian", "outlet", "tabloid", "website", "site", "blog",
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_sets_separate_finite_and_participle_forms() {
        assert!(finite_cue("said"));
        assert!(finite_cue("asserted"));
        assert!(!finite_cue("saying"));
        assert!(participle_cue("saying"));
        assert!(
            !finite_cue("remarks"),
            "plural noun must not count as a cue"
        );
    }

    #[test]
    fn lookups_expect_lower_case_input() {
        assert!(place("moscow"));
        assert!(!place("Moscow"));
    }

    #[test]
    fn first_name_covers_both_sexes_and_unisex() {
        assert!(first_name("vladimir"));
        assert!(first_name("liz"));
        assert!(first_name("dana"));
        assert!(!first_name("putin"));
    }
}
