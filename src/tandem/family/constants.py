"""What the guardian's page suggests doing at home, one idea per area of math.

Keyed by the framework's domain code (Common Core: "NF", "RP", ...); high-school codes such as
"A-REI" fall back to the letter before the dash ("A"). Each idea takes ten minutes, needs
nothing that a family would have to buy, and asks the child to explain, not to be tested.
"""

from __future__ import annotations

# Shown for a domain that has no idea of its own.
HELP_DEFAULT = (
    "Ask them to show you one problem they solved this week and explain each step to you; "
    "ask “how do you know?” rather than checking the answer."
)

HELP_AT_HOME: dict[str, str] = {
    "CC": "Count things around the house together (spoons, steps, socks) and ask "
    "“how many?” and “which group has more?”.",
    "OA": "Make up a quick story problem from your day (“we have 3 bags of 6 apples…”) and let "
    "them write the number sentence and solve it.",
    "NBT": "Read large prices or distances aloud together and round them: “is it closer to 300 or "
    "400?”. Ask them to work a sum out in their head and explain how.",
    "NF": "Cook or share food in parts: “is 2/3 of the pizza more or less than 3/4?”. Ask them to "
    "draw the two fractions to show you.",
    "MD": "Measure something at home (a table, a room, how long dinner takes) and ask them to "
    "convert or compare the measurements.",
    "G": "Look for shapes, angles and symmetry in your home or on a walk; ask them to name each "
    "shape and say how they know.",
    "RP": "Compare unit prices while shopping (“which is the better deal per ounce?”) or scale a "
    "recipe for more people.",
    "NS": "Use a thermometer, a bank balance or floors above and below ground to talk about "
    "negative numbers; ask which is greater and why.",
    "EE": "Give them a mystery-number puzzle (“I think of a number, double it and add 3, and get "
    "11”) and ask them to write it as an equation and solve it.",
    "F": "Make a table together of something that changes at a steady rate (savings each week, "
    "a phone plan) and ask what it will be in ten weeks.",
    "SP": "Collect a little data together (how long everyone sleeps, favorite snacks) and ask "
    "them to find the middle value and what it tells you.",
    "A": "Ask them to write an expression or equation for a real situation (a taxi fare, a "
    "phone plan) and explain what each letter and number means.",
    "N": "Ask them to estimate a quantity with units (how many liters in the bathtub?) and "
    "explain how close their estimate might be.",
    "S": "Look at a chart in the news together and ask what it shows, what it leaves out and "
    "whether the conclusion follows.",
}

# How many competencies the page suggests help for (the ones worked on most recently).
HELP_SHOWN = 3
# How many teacher updates the page shows, over how many days.
TEACHER_NEWS_SHOWN = 3
TEACHER_NEWS_DAYS = 30
# How many competencies "moved this week" and "working on next" list before the full record.
MOVED_SHOWN = 3
NEXT_SHOWN = 3
