package adjudicate

import "truce"

// actionWords recognise attacks in report text, in English, Ukrainian and
// Russian. Phrases follow the keyword rules of the agreement format (whole
// words; a trailing * matches any ending). A text that names no attack is
// never a breach, however much it mentions energy.
var actionWords = []struct {
	action  truce.Action
	phrases []string
}{
	{truce.ActionNavalAttack, []string{
		"naval drone*", "sea drone*", "unmanned surface vessel*",
		"морськ* дрон*", "безекіпажн* катер*", "морськ* безпілотник*",
		"морск* дрон*", "безэкипажн* катер*", "морск* беспилотник*",
	}},
	{truce.ActionDroneAttack, []string{
		"drone*", "uav", "uavs", "shahed*",
		"дрон*", "безпілотник*", "бпла", "шахед*",
		"беспилотник*", "герань*", "герани",
	}},
	{truce.ActionMissileAttack, []string{
		"missile*", "rocket*", "ballistic*",
		"ракет*", "балістичн*", "іскандер*", "калібр*",
		"баллистическ*", "искандер*",
	}},
	{truce.ActionAirStrike, []string{
		"airstrike*", "air strike*", "air raid*", "glide bomb*", "bombing", "bombed",
		"авіаудар*", "авіабомб*", "каб", "каби", "кабами", "кабів", "бомб*", "авіаці*",
		"авиаудар*", "авиабомб*", "авиаци*",
	}},
	{truce.ActionShelling, []string{
		"shelling", "shelled", "artillery", "mlrs", "mortar*",
		"обстріл*", "обстріля*", "артилері*", "артобстріл*", "рсзо", "мінометн*",
		"обстрел*", "обстреля*", "артиллери*", "минометн*",
	}},
	{truce.ActionSabotage, []string{
		"sabotage*", "arson*", "ied", "ieds",
		"диверсі*", "підпал*", "вибухівк*",
		"диверси*", "поджог*", "взрывчатк*",
	}},
	{truce.ActionAttack, []string{
		"attack*", "strike", "strikes", "struck", "hit", "hits", "shot down",
		"атак*", "атакува*", "удар", "удари", "ударів", "ударом", "ударами", "удару", "вдари*", "уразил*", "уразив", "ураженн*",
		"влучан*", "влучил*", "влучив", "прильот*", "поцілил*", "пошкодил*", "пошкодив", "знищил*",
		"атакова*", "ударил*", "поразил*", "поражени*", "попадани*", "прилет*", "повредил*",
	}},
}

var actionNames = map[truce.Action]string{
	truce.ActionAttack:        "attack",
	truce.ActionStrike:        "strike",
	truce.ActionAirStrike:     "air strike",
	truce.ActionDroneAttack:   "drone attack",
	truce.ActionMissileAttack: "missile attack",
	truce.ActionShelling:      "shelling",
	truce.ActionNavalAttack:   "naval attack",
	truce.ActionGroundAttack:  "ground attack",
	truce.ActionSabotage:      "sabotage",
	truce.ActionSeizure:       "seizure",
}
