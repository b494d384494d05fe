"""The project library Tandem ships: real-world middle-school math projects, as plain data.

Each rubric row names the Common Core standard it is evidence for. ``project_library_seed``
turns these into templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LibraryCriterion:
    title: str
    code: str
    # Descriptors for Beginning, Developing, Proficient, Exemplary.
    levels: tuple[str, str, str, str]
    description: str = ""


@dataclass(frozen=True)
class LibraryProject:
    key: str
    title: str
    summary: str
    description: str
    tags: tuple[str, ...]
    codes: tuple[str, ...]
    criteria: tuple[LibraryCriterion, ...]
    milestones: tuple[tuple[str, int], ...] = field(default=())


LIBRARY: tuple[LibraryProject, ...] = (
    LibraryProject(
        key="class-trip-budget",
        title="Plan a class trip budget",
        summary="Plan a day trip for your class and show what it costs per student.",
        description=(
            "Choose a destination your class would enjoy. Find real prices for transport, "
            "tickets and food, work out the cost per student, and show how discounts, tax and "
            "a tip change the total. Finish with a one-page budget the class could vote on."
        ),
        tags=("money", "travel", "planning"),
        codes=("6.RP.A.3", "6.RP.A.3.c", "7.RP.A.3"),
        criteria=(
            LibraryCriterion(
                "Rates and cost per student",
                "6.RP.A.3",
                (
                    "Lists some costs but does not work out a cost per student.",
                    "Works out some unit costs, with errors or without showing how.",
                    "Uses unit rates or tables correctly to find the cost per student.",
                    "Compares options by their unit rates and explains which is the better deal.",
                ),
            ),
            LibraryCriterion(
                "Percents: discounts, tax and tips",
                "7.RP.A.3",
                (
                    "Mentions discounts or tax but does not calculate them.",
                    "Calculates a percent, with errors in the amount or the new total.",
                    "Calculates discounts, tax and tips correctly in several steps.",
                    "Explains the order of the steps and checks the total another way.",
                ),
            ),
            LibraryCriterion(
                "Group discounts as a percent",
                "6.RP.A.3.c",
                (
                    "Does not connect the discount to a percent.",
                    "Finds a percent of a price with some errors.",
                    "Finds percents of quantities and the whole from a part correctly.",
                    "Uses percents to show when a group discount starts to pay off.",
                ),
            ),
        ),
        milestones=(
            ("Choose a destination and list every cost", 5),
            ("Find real prices and work out the cost per student", 12),
            ("Hand in the one-page budget", 19),
        ),
    ),
    LibraryProject(
        key="skate-park",
        title="Design a skate park",
        summary="Design a skate park for an empty lot and work out how much concrete it needs.",
        description=(
            "Draw a plan of a skate park on a real or imagined lot, with ramps, ledges and a "
            "bowl. Find the area of every surface and the volume of concrete for the ramps, "
            "then write a short pitch to the town council."
        ),
        tags=("sports", "design", "building"),
        codes=("6.G.A.1", "7.G.B.6", "6.G.A.4"),
        criteria=(
            LibraryCriterion(
                "Areas of the plan",
                "6.G.A.1",
                (
                    "Gives areas without showing how the shapes were measured.",
                    "Finds areas of simple shapes, with errors on composite ones.",
                    "Finds areas of triangles, quadrilaterals and polygons by decomposing them.",
                    "Checks composite areas two ways and explains the choice of decomposition.",
                ),
            ),
            LibraryCriterion(
                "Volume of concrete",
                "7.G.B.6",
                (
                    "Estimates concrete without a calculation.",
                    "Finds the volume of one ramp, with errors or missing units.",
                    "Finds volumes of the prisms in the design correctly, with units.",
                    "Finds volumes and surface areas and uses them to estimate the cost.",
                ),
            ),
            LibraryCriterion(
                "Nets and surface area of a ramp",
                "6.G.A.4",
                (
                    "Draws a ramp but no net.",
                    "Draws a net with missing or wrong faces.",
                    "Draws a correct net and finds the surface area from it.",
                    "Uses the net to plan how much paint or metal edging to buy.",
                ),
            ),
        ),
        milestones=(
            ("Sketch the lot and the features you want", 5),
            ("Scale plan with every area measured", 12),
            ("Concrete volume and pitch to the council", 19),
        ),
    ),
    LibraryProject(
        key="school-survey",
        title="Survey your school",
        summary="Ask a question about your school, collect real answers and report what you find.",
        description=(
            "Write a statistical question about your school (sleep, screen time, travel to "
            "school, lunch). Survey at least 20 people, show the answers in a plot, and say "
            "what the center and spread tell you."
        ),
        tags=("people", "school", "data"),
        codes=("6.SP.A.1", "6.SP.B.4", "6.SP.B.5"),
        criteria=(
            LibraryCriterion(
                "A statistical question",
                "6.SP.A.1",
                (
                    "Asks a question with a single answer.",
                    "Asks a question that varies, but the survey does not answer it.",
                    "Asks a statistical question and collects data that answers it.",
                    "Explains why the question expects variability and how the sample was chosen.",
                ),
            ),
            LibraryCriterion(
                "Plots of the data",
                "6.SP.B.4",
                (
                    "Lists the data without a plot.",
                    "Makes a plot with errors in scale or labels.",
                    "Makes a correct dot plot, histogram or box plot with labels.",
                    "Chooses the plot that shows the data best and says why.",
                ),
            ),
            LibraryCriterion(
                "Center, spread and what they mean",
                "6.SP.B.5",
                (
                    "Reports the data without a summary.",
                    "Finds a mean or median, with errors or without context.",
                    "Finds center and spread correctly and relates them to the question.",
                    "Explains which measure fits the data's shape and what an outlier changes.",
                ),
            ),
        ),
        milestones=(
            ("Write your question and plan who you will ask", 4),
            ("Collect at least 20 answers", 10),
            ("Hand in the plot and the report", 17),
        ),
    ),
    LibraryProject(
        key="snack-stand",
        title="Run a snack stand",
        summary="Plan a snack stand for a school event and predict its profit.",
        description=(
            "Choose what to sell, find what the ingredients cost, and set prices. Write an "
            "equation for profit as the number of snacks sold changes, and decide how many you "
            "must sell to break even."
        ),
        tags=("food", "business", "money"),
        codes=("7.RP.A.2", "6.EE.C.9"),
        criteria=(
            LibraryCriterion(
                "Proportional costs",
                "7.RP.A.2",
                (
                    "Lists prices without relating cost to quantity.",
                    "Builds a cost table with some errors.",
                    "Shows when cost is proportional to quantity, in a table and a graph.",
                    "Explains the constant of proportionality and where the model stops working.",
                ),
            ),
            LibraryCriterion(
                "Profit as an equation",
                "6.EE.C.9",
                (
                    "Describes profit in words only.",
                    "Writes an equation with an error in one variable.",
                    "Writes and uses an equation linking snacks sold to profit.",
                    "Uses the equation, a table and a graph to find the break-even point.",
                ),
            ),
        ),
        milestones=(
            ("Menu and ingredient prices", 5),
            ("Cost table and profit equation", 12),
            ("Final plan with prices and break-even point", 18),
        ),
    ),
    LibraryProject(
        key="sports-showdown",
        title="Sports stats showdown",
        summary="Settle an argument about two players or teams with their real statistics.",
        description=(
            "Pick two players or teams people argue about. Collect a season of their real "
            "statistics, compare centers and spreads, and write a verdict that a fan of the "
            "other side would have to accept."
        ),
        tags=("sports", "data"),
        codes=("7.SP.B.3", "7.SP.B.4", "6.SP.B.5"),
        criteria=(
            LibraryCriterion(
                "Summaries of each side",
                "6.SP.B.5",
                (
                    "Quotes single numbers without summarizing.",
                    "Finds a mean or median for each side, with errors.",
                    "Summarizes both data sets with center and spread.",
                    "Says which summary suits skewed data and why.",
                ),
            ),
            LibraryCriterion(
                "Comparing the two distributions",
                "7.SP.B.3",
                (
                    "Compares only the best game of each.",
                    "Compares centers but not the overlap of the distributions.",
                    "Expresses the difference in centers as a multiple of the spread.",
                    "Uses the overlap to say how confident the verdict can be.",
                ),
            ),
            LibraryCriterion(
                "Inference from the data",
                "7.SP.B.4",
                (
                    "States a verdict without data.",
                    "Draws a verdict from the data but ignores variability.",
                    "Draws an informal comparative inference using center and variability.",
                    "Discusses whether the season is a fair sample of the players' careers.",
                ),
            ),
        ),
        milestones=(
            ("Choose the two sides and find the data", 5),
            ("Plots and summaries of both", 12),
            ("Hand in the verdict", 18),
        ),
    ),
    LibraryProject(
        key="phone-plan-detective",
        title="Phone plan detective",
        summary="Find out which phone plan is cheapest for different kinds of users.",
        description=(
            "Collect two or three real phone plans. Model the monthly cost of each as a linear "
            "function of the data used, find where the plans cost the same, and advise three "
            "different people which plan to choose."
        ),
        tags=("technology", "money"),
        codes=("8.F.B.4", "8.EE.C.8.c"),
        criteria=(
            LibraryCriterion(
                "Each plan as a linear function",
                "8.F.B.4",
                (
                    "Lists plan prices without a model.",
                    "Writes a cost function with a wrong rate or starting value.",
                    "Writes each plan's cost as a linear function and explains its rate.",
                    "Shows where a linear model fails (caps, extra fees) and adjusts it.",
                ),
            ),
            LibraryCriterion(
                "Where two plans cost the same",
                "8.EE.C.8.c",
                (
                    "Guesses which plan is cheaper.",
                    "Compares plans at a few points only.",
                    "Solves the system to find where two plans cost the same.",
                    "Uses the solution to give advice that depends on how much data people use.",
                ),
            ),
        ),
        milestones=(
            ("Collect real plans and their prices", 4),
            ("Cost functions and graphs", 11),
            ("Advice for three users", 17),
        ),
    ),
    LibraryProject(
        key="dream-room",
        title="Scale model of a dream room",
        summary="Draw your dream bedroom to scale and check that everything fits.",
        description=(
            "Measure a real room, choose a scale and draw it. Add furniture you would like, "
            "drawn to the same scale, and show that it fits and leaves space to move."
        ),
        tags=("design", "home", "art"),
        codes=("7.G.A.1", "7.RP.A.2"),
        criteria=(
            LibraryCriterion(
                "Scale drawing",
                "7.G.A.1",
                (
                    "Draws the room without a scale.",
                    "Uses a scale, with errors in some lengths.",
                    "Draws the room and furniture to scale and computes real lengths and areas.",
                    "Redraws the plan at a second scale and explains how the areas change.",
                ),
            ),
            LibraryCriterion(
                "Proportional reasoning",
                "7.RP.A.2",
                (
                    "Does not relate drawing lengths to real lengths.",
                    "Relates lengths with some errors.",
                    "Uses the scale as a constant of proportionality consistently.",
                    "Explains why areas do not scale like lengths.",
                ),
            ),
        ),
        milestones=(
            ("Measure the room", 3),
            ("Scale drawing with furniture", 10),
        ),
    ),
)
