package adjudicate

import "truce"

// The judge's lexicon: the words of Ukrainian, Russian and English news
// that say an attack happened, how, that it did not happen as reported
// (modality), and who did it. Patterns follow the agreement's keyword
// syntax: whole words, case-insensitive, a trailing * matches any ending,
// several words in sequence. Ukrainian and Russian inflect, so a pattern
// names a stem with * or lists the forms when a form decides the role
// (Росія, the subject, against Росію, the object).

type wclass uint8

const (
	wAttack    wclass = iota + 1 // an attack verb or noun
	wWeapon                      // a weapon: says how, not that
	wDamage                      // damaged, destroyed
	wIntercept                   // shot down, repelled: the attack happened
	wExplosion                   // an explosion in a war setting
	wGround                      // ground fighting
	wOutage                      // a power cut: the object hit is not named
	wNear                        // near, next to
	wPerson                      // people: "energy workers", "an employee of"
	wModality                    // label: the modality
	wSpeech                      // a new assertion: "reports that"
	wAccuse                      // accuse, blame
	wForce                       // forces, weapons and attacks an adjective can name
	wPrep                        // a preposition: the party word after it is a place or an object
	wRUOnly                      // a weapon only Russia uses in this war
)

type lexEntry struct {
	class   wclass
	label   string // action, modality
	phrases []string
}

var lexicon = []lexEntry{
	{wAttack, string(truce.ActionAirStrike), []string{
		"авіаудар*", "авиаудар*", "airstrike*", "air strike*", "air raid*", "бомбардува*", "бомбардир*", "бомбил*", "бомблять", "бомбят", "bombed", "bombing",
		"скинули авіабомб*", "скинули бомб*", "сбросили авиабомб*",
	}},
	{wAttack, string(truce.ActionShelling), []string{
		"обстріл*", "обстріля*", "артобстріл*", "обстрел*", "обстреля*", "артобстрел*", "shelling", "shelled", "обстрілюють", "обстреливают",
	}},
	{wAttack, string(truce.ActionAttack), []string{
		"атак*", "атакува*", "атакова*", "атакував", "атакувала", "атакували",
		"удар", "удари", "ударів", "ударом", "ударами", "удару", "ударах", "удара", "ударов", "ударам", "удары",
		"вдари*", "вдарив", "вдарила", "ударил*", "ударив", "ударила", "ударили", "б'є", "б'ють", "била", "били", "бив", "бьют", "бьет",
		"завда* удар*", "нанес* удар*", "нанос* удар*", "наноси* удар*",
		"прильот*", "прилет*", "влучан*", "влучил*", "влучив", "влучила", "попадан*", "попал*", "поцілил*",
		"уразил*", "уразив", "ураже*", "поразил*", "поражен*",
		"attack*", "strike", "strikes", "struck", "hit", "hits", "targeted", "targeting",
	}},
	{wAttack, string(truce.ActionSabotage), []string{"диверсі*", "диверси*", "підпал*", "поджог*", "sabotage*", "arson*"}},
	{wGround, string(truce.ActionGroundAttack), []string{
		"бої", "боїв", "боях", "бій", "бой", "бои", "боев", "боях", "бойові дії", "боевые действия", "бойових зіткнен*", "бойові зіткнен*",
		"зіткнен*", "столкновен*", "штурм*", "штурмов*", "наступальн*", "наступал*", "наступа*", "атакував позиці*",
		"fighting", "clash*", "assault*", "battle*",
	}},
	{wExplosion, string(truce.ActionAttack), []string{"вибух*", "взрыв*", "explosion*", "blast*", "детонац*"}},
	{wIntercept, string(truce.ActionAttack), []string{
		"збил*", "збито", "збиті", "збитих", "знешкодил*", "знешкоджен*", "знищено * дрон*", "сбил*", "сбит*", "сбиты", "уничтожен* беспилотник*",
		"перехопил*", "перехоплен*", "перехват*", "відбил*", "відбито", "відбиття", "відбит*", "отбил*", "отбит*", "отраж*", "отразил*",
		"ппо", "пво", "протиповітрян*", "противовоздушн*", "shot down", "intercept*", "downed", "repelled", "repel*",
	}},
	{wWeapon, string(truce.ActionDroneAttack), []string{
		"дрон*", "безпілотник*", "бпла", "шахед*", "беспилотник*", "герань*", "герани", "drone*", "uav", "uavs", "shahed*",
	}},
	{wWeapon, string(truce.ActionMissileAttack), []string{
		"ракет*", "балістичн*", "іскандер*", "калібр*", "кинджал*", "баллистическ*", "искандер*", "калибр*", "кинжал*", "missile*", "rocket*", "ballistic*",
	}},
	{wWeapon, string(truce.ActionAirStrike), []string{
		"авіабомб*", "авиабомб*", "каб", "каби", "кабами", "кабів", "кабов", "бомб*", "авіаці*", "авиаци*", "glide bomb*", "aviation",
	}},
	{wWeapon, string(truce.ActionShelling), []string{
		"артилері*", "артиллери*", "рсзо", "мінометн*", "минометн*", "снаряд*", "artillery", "mlrs", "mortar*",
	}},
	{wWeapon, string(truce.ActionNavalAttack), []string{
		"морськ* дрон*", "безекіпажн* катер*", "морськ* безпілотник*", "морск* дрон*", "безэкипажн* катер*", "морск* беспилотник*", "naval drone*", "sea drone*",
	}},
	{wRUOnly, "", []string{
		"шахед*", "герань*", "герани", "каб", "каби", "кабами", "кабів", "кабов", "керован* авіабомб*", "управляем* авиабомб*", "іскандер*", "искандер*", "калібр*", "калибр*", "кинджал*", "кинжал*", "shahed*", "x-101", "х-101", "х 101",
	}},
	{wDamage, "", []string{
		"пошкод*", "поврежд*", "повредил*", "знищ*", "уничтож*", "зруйн*", "разруш*", "зруйнова*", "вивели з ладу", "вывели из строя", "згорів", "згоріла", "згоріли", "горить", "горит", "палає", "пожеж*", "пожар*",
		"damag*", "destroy*", "ablaze", "on fire",
	}},
	{wOutage, "", []string{
		"знеструм*", "обесточ*", "без світла", "без електрики", "без електроенергії", "без електропостачання", "без света", "без электричества", "без электроэнергии", "без электроснабжения",
		"відключ* світла", "відключ* електро*", "відключено світло", "відключено електро*", "відключили світло", "вимкн* світло", "отключ* свет*", "отключ* электро*",
		"перебої з електр*", "перебої зі світлом", "проблеми зі світлом", "проблеми з електр*", "проблемы со светом", "проблемы с электр*", "перебои с электр*",
		"аварійн* відключ*", "аварийн* отключ*", "графік* відключ*", "blackout*", "power outage*", "power cut*", "without power", "without electricity",
	}},
	{wNear, "", []string{"біля", "поблизу", "неподалік", "поряд з", "поруч з", "возле", "около", "рядом с", "вблизи", "near", "close to", "в районі", "в районе"}},
	{wPerson, "", []string{
		"працівни*", "співробітни*", "сотрудни*", "работни*", "персонал*", "директор*", "керівни*", "енергетиків", "енергетикам", "енергетиками", "енергетик",
		"энергетиков", "энергетикам", "энергетиками", "энергетик", "worker*", "employee*", "staff", "engineer*",
	}},
	{wModality, "denied", []string{
		"спростув*", "спростова*", "заперечу*", "заперечи*", "заперечен*", "заперечує", "опроверг*", "опроверж*", "отрица*", "deny", "denies", "denied", "denial*", "фейк*", "fake",
	}},
	{wModality, "planned", []string{
		"планув*", "планує", "планують", "плануєть*", "планува*", "планирова*", "планирует*", "планируют", "готув*", "готує", "готують", "готовил*", "готовит*", "готовят*",
		"намір*", "намерен*", "намагал*", "намагают*", "пытал*", "пытают*", "збира*", "собирал*", "собирает*", "plan", "plans", "planned", "planning", "prepar*", "intend*",
	}},
	{wModality, "foiled", []string{
		"затрима*", "затриман*", "задержа*", "арешт*", "арест*", "агент*", "коригувальник*", "корректировщик*", "навод*", "навести", "навел*", "крот*",
		"підозр*", "подозр*", "засуди*", "засуджен*", "осуди*", "осужден*", "вирок*", "приговор*", "суд", "суду", "суді", "судом", "запобіг*", "зірва*", "зірвали", "сорвал*", "предотврат*",
		"detain*", "arrest*", "spotter*", "foil*", "thwart*", "sentenc*", "convict*",
	}},
	{wModality, "threat", []string{"погрож*", "погроз*", "угрож*", "угроз*", "threat*", "ультиматум*"}},
	{wModality, "conditional", []string{"якщо", "якби", "если", "if", "would", "можуть", "може", "могут", "может", "may", "might", "could"}},
	{wModality, "future", []string{"буде", "будуть", "будет", "будут", "will", "стане", "станет"}},
	{wModality, "negated", []string{"не", "ні", "ни", "not", "no", "never", "жодн*", "никак*", "ніяк*", "ніяких", "никаких"}},
	{wModality, "cessation", []string{
		"припин*", "прекращ*", "мораторі*", "моратори*", "перемир*", "відмов*", "отказ*", "утримат*", "утрима*", "воздерж*", "зупинит*", "остановит*",
		"ceasefire", "moratorium", "halt*", "cease*", "stop", "refrain*", "pause",
	}},
	{wModality, "past", []string{"роковин*", "річниц*", "годовщин*", "anniversar*", "рік тому", "роки тому", "год назад", "года назад", "лет назад", "years ago", "year ago"}},
	{wModality, "staged", []string{"інсценув*", "инсценир*", "постановк*", "staged"}},
	{wSpeech, "", []string{
		"повідомля* що", "повідомив* що", "повідомила що", "повідомили що", "заявив* що", "заявила що", "заявили що", "заявля* що", "зазначи* що", "уточни* що",
		"сообща* что", "сообщил* что", "заявил* что", "заявля* что", "уточни* что", "отмети* что", "said that", "says that", "reported that", "stated that",
	}},
	{wAccuse, "", []string{"звинува*", "звинуват*", "обвиня*", "обвини*", "accus*", "blame*"}},
	{wForce, "", []string{
		"армі*", "арми*", "військ*", "войск*", "військов*", "военн*", "авіаці*", "авиаци*", "дрон*", "безпілотник*", "беспилотник*", "бпла", "ракет*",
		"удар*", "атак*", "обстріл*", "обстрел*", "артилері*", "артиллери*", "окупант*", "оккупант*", "сили", "силы", "сил", "силами", "зс", "вс",
		"бомб*", "каб*", "шахед*", "герань*", "солдат*", "військовослужбов*", "военнослужащ*", "підрозділ*", "подраздел*", "диверсант*", "дрг", "снаряд*", "авіабомб*", "авиабомб*",
		"forces", "troops", "army", "military", "drone*", "missile*", "strike*", "attack*", "shelling", "aviation", "aircraft", "soldier*", "artillery",
		"artillerym*", "gunners", "unit", "units", "brigade*", "navy", "air force", "servicem*",
	}},
	{wPrep, "", []string{
		"в", "у", "на", "по", "до", "з", "із", "зі", "від", "для", "проти", "против", "о", "об", "при", "над", "під", "под", "через", "між", "между", "к", "с", "со", "от", "из",
		"in", "on", "at", "against", "to", "from", "over", "into", "inside", "across",
	}},
}

// partyWord is how a text names a party. Its role says what the form can
// be: the subject (nominative), a possessor (genitive: "удари Росії" is an
// attack by Russia, "території Росії" is a place), the agent of a passive
// (instrumental), an adjective ("російські дрони"), or an object.
type partyRole uint8

const (
	roleSubject partyRole = iota + 1
	roleGenitive
	roleAgent
	roleAdjective
	roleObject
	roleVoice // an outlet's word for the other side: "ворог" in a Ukrainian text
)

type partyEntry struct {
	party   truce.PartyID
	role    partyRole
	phrases []string
}

// partyWords are the built-in names of the two parties of this war, keyed
// by their ISO 3166 codes; they apply when an agreement has parties with
// those ids. An agreement's own attribution phrases are added as subjects.
var partyWords = []partyEntry{
	{"RU", roleSubject, []string{
		"росія", "рф", "россия", "russia", "росіяни", "россияне", "окупанти", "оккупанты", "окупант", "рашисти", "орки", "russians",
		"кремль", "kremlin", "москва", "moscow", "russian federation", "російська федерація", "российская федерация",
	}},
	{"RU", roleGenitive, []string{"росії", "россии", "рф", "росіян", "россиян", "окупантів", "оккупантов", "рашистів", "russia's", "російської федерації", "российской федерации", "москви", "москвы", "кремля"}},
	{"RU", roleAgent, []string{"росією", "россией", "росіянами", "россиянами", "окупантами", "оккупантами", "рашистами", "by russia", "by russian*"}},
	{"RU", roleAdjective, []string{"російськ*", "российск*", "russian", "рашистськ*", "окупаційн*", "оккупационн*", "ворож*"}},
	{"RU", roleObject, []string{"росію", "россию", "росіянам", "россиянам"}},
	{"RU", roleVoice, []string{"ворог", "ворога", "ворогом", "вороги", "ворогів"}},
	{"UA", roleSubject, []string{
		"україна", "украина", "ukraine", "зсу", "всу", "вфу", "сили оборони", "силы обороны", "сбу", "гур", "сбс", "киев",
		"киевский режим", "київський режим",
	}},
	{"UA", roleGenitive, []string{"україни", "украины", "зсу", "всу", "вфу", "ukraine's", "киева", "києва", "сбу", "гур"}},
	{"UA", roleAgent, []string{"україною", "украиной", "by ukraine", "by ukrainian*"}},
	{"UA", roleAdjective, []string{"українськ*", "украинск*", "ukrainian"}},
	{"UA", roleObject, []string{"україну", "украину", "україні", "украине"}},
}
