package adjudicate

import "truce"

// actionNames are the actions as explanations name them.
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
