#!/usr/bin/env python3
"""Generates Haven's retrieval test set: a made-up corpus and questions with known answers.

    python3 tests/data/retrieval/make_corpus.py            # writes corpus.jsonl, questions.jsonl here
    python3 tests/data/retrieval/make_corpus.py --check    # fails if the committed files differ

Everything is derived from one seed with Python's `random` (no network, no model), so the output
is the same on every machine with Python 3.8+. The corpus holds short Markdown documents about
fictional towns, people, recipes, machines, ships and species. Documents of one kind share their
vocabulary (every ship has a cargo, a home port, a fate...), people and ships name towns of the
corpus, and about one document in eight is a near-duplicate of another (same facts but one or
two, a different name), so lexical search is not trivially perfect.

Each question names the path of the one document that answers it, and a kind:

  lexical      shares a rare word (a made-up name) with its answer
  paraphrased  describes two facts in other words: no word of it that is in fewer than
               PARAPHRASE_MIN_DF documents appears in its answer (checked here)
  multi_fact   states two or three facts but no name, all but the last in the document's own
               words, the last in other words; each fact alone, and the literal ones together,
               fit other documents too, only the combination is unique (checked)
"""

import argparse
import json
import os
import random
import re
import sys

SEED = 17
HERE = os.path.dirname(os.path.abspath(__file__))
DOCUMENTS_PER_KIND = 60
SIBLING_SHARE = 0.12
QUESTIONS_PER_KIND = 50
PARAPHRASE_MIN_DF = 20

STOPWORDS = set("""a an the of in on at to and or by for with from is was were are be been it its this that
which what who whom whose where when how why does did do has had have as into out over under than then
there their they them one two three four not no but if so also still each every most more many much
called known once""".split())

# Each attribute value: (words used in documents, words used in paraphrased questions).
# The paraphrase avoids the document's distinctive words.
TOWN = {
    "setting": [("on the banks of a slow brown river", "beside a sluggish muddy stream"),
                ("high in the granite mountains", "up among the rocky peaks"),
                ("on a windy headland above the sea", "on a breezy cliff over the ocean"),
                ("at the edge of a great pine forest", "where a huge conifer woodland begins"),
                ("in a marshy valley full of reeds", "in a boggy hollow thick with rushes"),
                ("beside a cold glacial lake", "next to a freezing mere fed by ice"),
                ("on an island reached by a causeway", "on an isle joined to land by a raised road"),
                ("among rolling chalk hills", "among gentle white downs")],
    "trade": [("weaving wool into blankets", "making bedcovers from sheep fleece"),
              ("casting copper bells", "making chimes from reddish metal"),
              ("brewing dark cider", "making a strong apple drink"),
              ("carving slate roof tiles", "cutting grey stone for rooftops"),
              ("building fishing boats", "making vessels for trawlermen"),
              ("pressing olive oil", "crushing fruit of the olive tree for its fat"),
              ("mining salt", "digging up the white crystals used to season food"),
              ("making clocks", "crafting timepieces"),
              ("growing saffron", "cultivating crocus for a costly red spice")],
    "festival": [("a lantern parade every autumn", "a procession of lights when the leaves fall"),
                 ("a cheese rolling race in spring", "a contest chasing wheels of curd downhill when flowers bloom"),
                 ("a midwinter bonfire", "a huge fire at the darkest time of year"),
                 ("a kite festival each summer", "flying paper toys on strings in the warm months"),
                 ("a rowing regatta on midsummer day", "an oar race on the longest day"),
                 ("a harvest market in September", "a fair for crops in the ninth month")],
    "landmark": [("a leaning clock tower", "a tilted tower that tells the time"),
                 ("a stone bridge with nine arches", "a masonry crossing on many curved spans"),
                 ("a ruined abbey", "the crumbling remains of a monastery"),
                 ("a red lighthouse", "a scarlet beacon tower for sailors"),
                 ("an old windmill", "an ancient mill turned by the breeze"),
                 ("a covered market hall", "a roofed building where traders sell goods")],
}
PERSON = {
    "profession": [("cartographer", "map maker"), ("astronomer", "stargazer who studies the heavens"),
                   ("violin maker", "craftsman of fiddles"), ("midwife", "woman who helps deliver babies"),
                   ("beekeeper", "keeper of hives"), ("engineer", "designer of engines and works"),
                   ("botanist", "scientist of plants"), ("glassblower", "artisan shaping molten glass"),
                   ("lawyer", "attorney"), ("schoolteacher", "instructor of children")],
    "achievement": [("charted the northern coastline", "mapped the shores up north"),
                    ("discovered a comet", "spotted a new tailed star"),
                    ("founded a public library", "started a free lending house for books"),
                    ("won the national chess championship", "became the country's best player of the board game with kings and pawns"),
                    ("wrote a famous cookbook", "authored a well-loved volume of kitchen instructions"),
                    ("designed a new kind of lock for canals", "invented a better gate system for waterways"),
                    ("rescued sailors from a shipwreck", "saved seamen from a wrecked vessel")],
    "hobby": [("collecting beetles", "gathering insects with hard wing cases"),
              ("playing the cello", "performing on a large bowed string instrument"),
              ("climbing mountains", "scaling high summits"),
              ("keeping pigeons", "raising doves in a loft"),
              ("painting watercolours", "making pictures with diluted pigments"),
              ("swimming in the sea every morning", "taking a daily dip in the ocean at dawn")],
}
RECIPE = {
    "ingredient": [("lentils", "small dried pulses"), ("mutton", "sheep meat"), ("mackerel", "an oily striped fish"),
                   ("chestnuts", "nuts roasted in winter"), ("barley", "a chewy cereal grain"),
                   ("plums", "purple stone fruit"), ("leeks", "long mild onions"),
                   ("buckwheat", "a triangular seed ground into dark flour"), ("rabbit", "hare-like game")],
    "method": [("braised slowly in a clay pot", "stewed for hours in an earthenware vessel"),
               ("smoked over beech wood", "cured in the fumes of burning timber"),
               ("baked in a wood-fired oven", "cooked in a kiln heated with logs"),
               ("fried in butter", "sizzled in dairy fat"),
               ("steamed in cabbage leaves", "cooked by vapour wrapped in brassica"),
               ("roasted on a spit", "turned over the flames on a rod")],
    "occasion": [("served at weddings", "eaten when couples marry"),
                 ("eaten on the first day of the year", "had on new year's morning"),
                 ("cooked for sailors before a long voyage", "made for seamen about to go away for months"),
                 ("given to children who are ill", "fed to poorly youngsters"),
                 ("served at funerals", "offered to mourners"),
                 ("made for the midsummer feast", "prepared for the longest day's banquet")],
    "flavour": [("with juniper and black pepper", "seasoned with gin berries and spicy corns"),
                ("with honey and thyme", "sweetened by bees and scented with a garden herb"),
                ("with sour cream and dill", "dressed in tangy dairy and a feathery herb"),
                ("with garlic and walnuts", "flavoured by pungent cloves and crinkly kernels"),
                ("with mustard seeds", "spiced by hot yellow grains")],
}
MACHINE = {
    "purpose": [("pumps water out of flooded mines", "drains underground pits"),
                ("spins cotton thread", "twists fibre into yarn"),
                ("prints newspapers", "presses the daily news onto paper"),
                ("grinds flour", "mills grain into powder"),
                ("cuts timber into planks", "saws logs into boards"),
                ("lifts cargo at the docks", "hoists freight at the quays"),
                ("sorts letters for the post office", "arranges mail by address")],
    "power": [("a steam engine", "boiling kettle pressure"), ("a water wheel", "a paddle turned by a stream"),
              ("a team of horses", "draft animals"), ("a windmill sail", "the blowing breeze"),
              ("an electric motor", "current from the grid")],
    "material": [("cast iron", "heavy moulded metal"), ("oak timber", "hardwood from acorn trees"),
                 ("brass", "yellow alloy of copper and zinc"), ("steel", "strong refined metal")],
    "flaw": [("jammed in cold weather", "stuck whenever it was frosty"),
             ("needed oiling every hour", "had to be greased constantly"),
             ("was so loud that neighbours complained", "made a racket that annoyed those living nearby"),
             ("caught fire twice", "burst into flames on two occasions"),
             ("needed six workers to run", "required half a dozen hands to operate")],
}
SHIP = {
    "type": [("schooner", "fore-and-aft rigged sailing vessel"), ("paddle steamer", "boat driven by turning wheels"),
             ("barque", "three-masted sailing vessel"), ("whaling ship", "vessel that hunted leviathans"),
             ("ferry", "boat carrying passengers across the water")],
    "cargo": [("saffron", "a costly red spice"), ("coal", "black fuel dug from the ground"),
              ("tea", "dried leaves for brewing"), ("timber", "felled logs"),
              ("wool", "sheep fleece"), ("salt cod", "preserved dried fish"), ("porcelain", "fine china")],
    "fate": [("sank in a storm", "went down in a gale"), ("ran aground on a sandbank", "got stuck on shallow shoals"),
             ("was broken up for scrap", "was dismantled and sold as junk"),
             ("became a floating museum", "is now an exhibit visitors can board"),
             ("caught fire in harbour", "burned while moored at the quay"),
             ("vanished without a trace", "disappeared and was never found")],
}
SPECIES = {
    "group": [("beetle", "insect with hard wing cases"), ("owl", "nocturnal bird of prey"),
              ("frog", "amphibian that croaks"), ("moth", "night-flying winged insect"),
              ("lizard", "small scaly reptile"), ("vole", "little rodent")],
    "habitat": [("salt marshes", "briny coastal wetlands"), ("limestone caves", "underground caverns"),
                ("high alpine meadows", "mountain grasslands"), ("old oak woods", "ancient forests of acorn trees"),
                ("desert dunes", "hills of sand in arid land"), ("river reed beds", "stream-side rushes")],
    "colour": [("copper-coloured", "reddish-brown"), ("pale blue", "sky-tinted"), ("jet black", "coal-dark"),
               ("striped yellow and green", "banded in lemon and lime shades"), ("silver-grey", "ash-toned")],
    "diet": [("eats snails", "feeds on slugs with shells"), ("eats seeds", "feeds on grain and kernels"),
             ("eats mosquitoes", "feeds on biting gnats"), ("eats the nectar of night flowers", "drinks sweet juice from blooms after dark"),
             ("eats fallen fruit", "feeds on windfall berries")],
    "habit": [("sings only at dawn", "calls just at daybreak"), ("hibernates for five months", "sleeps through half the year"),
              ("builds nests from spider silk", "weaves homes from cobweb threads"),
              ("glows faintly at night", "gives off a dim light in the dark"),
              ("migrates south every October", "travels to warmer lands each autumn")],
}

FILLER = {
    "town": ["The town has a market square, a school and two inns.",
             "Visitors often arrive by the old coach road.",
             "Local records are kept in the town hall.",
             "The population grew slowly through the last century.",
             "Many families have lived in the town for generations.",
             "The town council meets on the first Monday of each month.",
             "Houses in the old quarter have steep roofs and narrow windows.",
               "A weekly carrier takes goods to the nearest city.",
               "The parish church was rebuilt after a fire.",
               "Most streets are paved with rounded cobbles.",
               "Travellers praise the bread sold at the bakery.",
               "A small museum shows tools from earlier times.",
               "The town band plays on Sunday afternoons.",
               "In winter the roads are sometimes closed by snow."],
    "person": ["Letters and notebooks survive in the town archive.",
               "Friends remembered a patient and curious character.",
               "A portrait hangs in the local museum.",
               "The family lived in a small house near the market.",
               "Later life was quiet, spent among books and friends.",
               "A street in the town now carries the family name.",
               "Colleagues described a sharp memory and a dry sense of humour.",
               "Few photographs of this life survive.",
               "The work was little known until long after death.",
               "A biography was published fifty years later.",
               "Apprentices came from far away to learn the craft.",
               "Neighbours recalled long walks at dusk.",
               "Their diaries record the weather of every single day."],
    "recipe": ["The dish is usually served with bread.",
               "Cooks in the region argue about the right amount of salt.",
               "Old recipe books give slightly different quantities.",
               "It keeps for two days in a cool larder.",
               "Families pass the recipe down from grandmother to grandchild.",
               "Some cooks add a splash of vinegar at the end.",
               "Leftovers are often eaten cold the next morning.",
               "The dish needs patience more than skill.",
               "Each village claims its own version is the original.",
               "It is usually followed by a glass of something strong.",
               "Children are often given the task of stirring the pot.",
               "Modern cooks sometimes make it in half the time.",
               "A pinch of salt is added just before serving."],
    "machine": ["The machine was patented after several years of trials.",
                "A surviving example stands in the museum of industry.",
                "Workers were trained for a week before using it.",
                "Its parts were made in the local foundry.",
                "Drawings of the machine survive in the patent office.",
                "Several copies were sold to other towns.",
               "Engineers came from abroad to study its design.",
               "It was repaired many times during its working life.",
               "The original plans were lost in a flood.",
               "Its gears were cut by hand.",
               "Factory owners argued about whether it saved money.",
               "It was finally retired when newer machines arrived.",
               "Children were warned to keep away from its moving parts."],
    "ship": ["The crew numbered about twenty.",
             "Her logbooks are kept in the maritime archive.",
             "She was painted black with a white stripe.",
             "Sailors said she was quick in a fair wind.",
             "A model of the ship stands in the harbour office.",
             "She made many voyages along the coast.",
               "Her figurehead showed a woman holding a lamp.",
               "Passengers complained of the cramped cabins.",
               "The ship was refitted twice during her career.",
               "Her bell now hangs in a church by the harbour.",
               "The owners made a good profit in her early years.",
               "Storms often kept her in port for weeks.",
               "Her last captain wrote a short memoir of his time aboard."],
    "species": ["It was first described by a travelling naturalist.",
                "The species is rarely seen by casual visitors.",
                "Little is known about its young.",
                "Museum collections hold a few specimens.",
                "Its numbers are thought to be stable.",
                "Local people have several names for it.",
               "Naturalists still argue about its closest relatives.",
               "It is most active in the early evening.",
               "Its call is said to sound like a creaking door.",
               "Young ones stay close to their parents for a season.",
               "Predators include foxes and larger birds.",
               "Surveys are carried out every ten years.",
               "Its eggs are small and speckled."],
}


class NameMaker:
    """Made-up, pronounceable, unique names (rare words for lexical search)."""

    ONSETS = ["br", "k", "th", "v", "gl", "m", "dr", "s", "qu", "h", "z", "fl", "t", "w", "r", "p"]
    VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ea", "y"]
    CODAS = ["n", "rm", "ll", "sk", "th", "nd", "r", "x", "m", "st", "wick", "by", "mere", "ton"]

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def word(self, syllables):
        while True:
            parts = [self.rng.choice(self.ONSETS) + self.rng.choice(self.VOWELS) for _ in range(syllables)]
            word = ("".join(parts) + self.rng.choice(self.CODAS)).capitalize()
            if word.lower() not in self.used and len(word) >= 5:
                self.used.add(word.lower())
                return word


def pick(rng, table):
    return {attribute: rng.randrange(len(values)) for attribute, values in table.items()}


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def build(seed=SEED):
    """Returns (documents, questions): documents as dicts with path, text, kind, facts."""
    rng = random.Random(seed)
    names = NameMaker(rng)
    documents = []

    def add(kind, name, facts, text):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        documents.append({"path": f"/corpus/{PLURAL[kind]}/{slug}.md", "kind": kind, "name": name, "facts": facts,
                          "text": text})

    def value(table, facts, attribute, side=0):
        return table[attribute][facts[attribute]][side]

    unused = {}  # filler sentences not yet used in the document being written

    def filler(kind, count):
        if kind not in unused:
            unused[kind] = rng.sample(FILLER[kind], len(FILLER[kind]))
        return " ".join(unused[kind].pop() for _ in range(count))

    def coda(kind):
        """A third paragraph of filler in most documents."""
        return "\n\n" + filler(kind, rng.randrange(2, 5)) if rng.random() < 0.8 else ""

    towns = []
    for _ in range(DOCUMENTS_PER_KIND):
        towns.append((names.word(2), pick(rng, TOWN), rng.randrange(1150, 1890)))

    def town_text(name, facts, year):
        v = lambda a: value(TOWN, facts, a)  # noqa: E731
        return (f"# {name}\n\n{name} is a small town {v('setting')}. It was founded in {year}, and for centuries "
                f"its people have earned their living by {v('trade')}. {filler('town', 3)}\n\n"
                f"The town is best known for {v('landmark')}, and it holds {v('festival')}. {filler('town', 2)}{coda('town')}")

    people = []
    for _ in range(DOCUMENTS_PER_KIND):
        people.append((f"{names.word(1)} {names.word(2)}", pick(rng, PERSON), rng.choice(towns)[0],
                       rng.randrange(1700, 1950)))

    def person_text(name, facts, town, born):
        v = lambda a: value(PERSON, facts, a)  # noqa: E731
        first = name.split()[0]
        return (f"# {name}\n\n{name} was a {v('profession')} born in {town} in {born}. {filler('person', 3)}\n\n"
                f"{first} is remembered because they {v('achievement')}. Outside work, {first} loved "
                f"{v('hobby')}. {filler('person', 2)}{coda('person')}")

    recipes = []
    for _ in range(DOCUMENTS_PER_KIND):
        recipes.append((f"{names.word(2)} pie" if rng.random() < 0.4 else f"{names.word(2)} stew",
                        pick(rng, RECIPE), rng.choice(towns)[0], rng.randrange(2, 9)))

    def recipe_text(name, facts, town, serves):
        v = lambda a: value(RECIPE, facts, a)  # noqa: E731
        return (f"# {name}\n\n{name} is a traditional dish from {town}. It is made from {v('ingredient')}, "
                f"{v('method')}, {v('flavour')}. {filler('recipe', 3)}\n\n"
                f"By custom it is {v('occasion')}. One pot feeds {serves} people. {filler('recipe', 2)}{coda('recipe')}")

    machines = []
    for _ in range(DOCUMENTS_PER_KIND):
        machines.append((f"the {names.word(2)} engine", pick(rng, MACHINE), rng.choice(people)[0],
                         rng.randrange(1760, 1920)))

    def machine_text(name, facts, inventor, year):
        v = lambda a: value(MACHINE, facts, a)  # noqa: E731
        title = name[0].upper() + name[1:]
        return (f"# {title}\n\n{title} is a machine that {v('purpose')}. It was built in {year} by {inventor}, "
                f"mostly of {v('material')}, and it was driven by {v('power')}. {filler('machine', 3)}\n\n"
                f"Operators said it {v('flaw')}. {filler('machine', 2)}{coda('machine')}")

    ships = []
    for _ in range(DOCUMENTS_PER_KIND):
        ships.append((f"the {names.word(2)}", pick(rng, SHIP), rng.choice(towns)[0], rng.randrange(1780, 1930)))

    def ship_text(name, facts, port, launched):
        v = lambda a: value(SHIP, facts, a)  # noqa: E731
        title = name[0].upper() + name[1:]
        return (f"# {title}\n\n{title} was a {v('type')} launched in {launched} with {port} as her home port. "
                f"She mostly carried {v('cargo')}. {filler('ship', 3)}\n\n"
                f"In the end the ship {v('fate')}. {filler('ship', 2)}{coda('ship')}")

    species = []
    for _ in range(DOCUMENTS_PER_KIND):
        species.append((f"{names.word(2)} {SPECIES['group'][0][0]}", pick(rng, SPECIES), rng.choice(towns)[0],
                        rng.randrange(3, 40)))
    species = [(f"{n.split()[0]} {SPECIES['group'][f['group']][0]}", f, t, s) for n, f, t, s in species]

    def species_text(name, facts, town, size):
        v = lambda a: value(SPECIES, facts, a)  # noqa: E731
        return (f"# {name}\n\nThe {name} is a {v('colour')} {v('group')} that lives in {v('habitat')} near {town}. "
                f"Adults grow to about {size} centimetres. {filler('species', 3)}\n\n"
                f"It {v('diet')} and {v('habit')}. {filler('species', 2)}{coda('species')}")

    # Near-duplicates: a copy of an entity with one or two facts changed and a new name.
    def siblings(entities, table, rename):
        out = list(entities)
        for original in rng.sample(entities, int(len(entities) * SIBLING_SHARE)):
            facts = dict(original[1])
            for attribute in rng.sample(list(table), rng.choice([1, 2])):
                choices = [i for i in range(len(table[attribute])) if i != facts[attribute]]
                facts[attribute] = rng.choice(choices)
            out.append((rename(original[0]), facts, *original[2:]))
        return out

    towns = siblings(towns, TOWN, lambda n: names.word(2))
    people = siblings(people, PERSON, lambda n: f"{n.split()[0]} {names.word(2)}")
    recipes = siblings(recipes, RECIPE, lambda n: f"{names.word(2)} {n.split()[1]}")
    machines = siblings(machines, MACHINE, lambda n: f"the {names.word(2)} engine")
    ships = siblings(ships, SHIP, lambda n: f"the {names.word(2)}")
    species = siblings(species, SPECIES, lambda n: f"{names.word(2)} {n.split()[1]}")
    species = [(f"{n.split()[0]} {SPECIES['group'][f['group']][0]}", f, t, s) for n, f, t, s in species]

    for kind, entities, table, text in [("town", towns, TOWN, town_text), ("person", people, PERSON, person_text),
                                        ("recipe", recipes, RECIPE, recipe_text),
                                        ("machine", machines, MACHINE, machine_text),
                                        ("ship", ships, SHIP, ship_text), ("species", species, SPECIES, species_text)]:
        for entity in entities:
            unused.clear()
            add(kind, entity[0], {"table": kind, **entity[1], "extra": list(entity[2:])}, text(*entity))

    tables = {"town": TOWN, "person": PERSON, "recipe": RECIPE, "machine": MACHINE, "ship": SHIP,
              "species": SPECIES}
    questions = make_questions(rng, documents, tables)
    return documents, questions


PLURAL = {"town": "towns", "person": "people", "recipe": "recipes", "machine": "machines",
          "ship": "ships", "species": "species"}
NOUNS = {"town": ("town", "settlement"), "person": ("person", "individual"), "recipe": ("dish", "meal"),
         "machine": ("machine", "device"), "ship": ("ship", "vessel"), "species": ("animal", "creature")}


def make_questions(rng, documents, tables):
    frequency = {}
    for document in documents:
        for word in set(words(document["text"])):
            frequency[word] = frequency.get(word, 0) + 1

    def same(document, attributes):
        """Documents of the same kind agreeing with `document` on every attribute given."""
        return [d for d in documents if d["kind"] == document["kind"]
                and all(d["facts"][a] == document["facts"][a] for a in attributes)]

    questions = []
    order = list(range(len(documents)))
    rng.shuffle(order)
    used = set()

    # Lexical: the document's made-up name and one fact asked about.
    lexical_templates = {
        "town": ["When was {name} founded?", "What trade is {name} known for?", "What festival does {name} hold?"],
        "person": ["What was the profession of {name}?", "Why is {name} remembered?", "Where was {name} born?"],
        "recipe": ["What is {name} made from?", "When is {name} traditionally eaten?", "How many people does a pot of {name} feed?"],
        "machine": ["Who built {name}?", "What was {name} used for?", "What powered {name}?"],
        "ship": ["What did {name} carry?", "What happened to {name} in the end?", "When was {name} launched?"],
        "species": ["Where does the {name} live?", "What does the {name} eat?", "How big does the {name} grow?"],
    }
    for index in order:
        if sum(q["kind"] == "lexical" for q in questions) == QUESTIONS_PER_KIND:
            break
        document = documents[index]
        name = document["name"]
        template = rng.choice(lexical_templates[document["kind"]])
        questions.append({"question": template.format(name=name), "answer_path": document["path"], "kind": "lexical"})
        used.add(index)

    # Paraphrased: two facts in other words; unique as a pair; no shared rare word.
    for index in order:
        if sum(q["kind"] == "paraphrased" for q in questions) == QUESTIONS_PER_KIND:
            break
        if index in used:
            continue
        document = documents[index]
        table = tables[document["kind"]]
        attributes = list(table)
        rng.shuffle(attributes)
        for first in range(len(attributes)):
            pair = None
            for second in range(first + 1, len(attributes)):
                if len(same(document, [attributes[first], attributes[second]])) == 1:
                    pair = (attributes[first], attributes[second])
                    break
            if pair:
                break
        if not pair:
            continue
        a, b = (table[attribute][document["facts"][attribute]][1] for attribute in pair)
        noun = rng.choice(NOUNS[document["kind"]])
        question = rng.choice([f"Which {noun} is described by {a} and {b}?",
                               f"Find the {noun} associated with {a} and with {b}.",
                               f"I am looking for a {noun}: {a}; {b}."])
        answer_words = set(words(document["text"]))
        shared = [w for w in set(words(question)) & answer_words
                  if w not in STOPWORDS and frequency[w] < PARAPHRASE_MIN_DF]
        if shared:
            continue
        questions.append({"question": question, "answer_path": document["path"], "kind": "paraphrased"})
        used.add(index)

    # Multi-fact: two or three facts in the document's words, each shared by others, unique together.
    for index in order:
        if sum(q["kind"] == "multi_fact" for q in questions) == QUESTIONS_PER_KIND:
            break
        if index in used:
            continue
        document = documents[index]
        table = tables[document["kind"]]
        attributes = list(table)
        rng.shuffle(attributes)
        chosen = None
        for size in (2, 3):
            for start in range(len(attributes) - size + 1):
                subset = attributes[start:start + size]
                if (len(same(document, subset)) == 1 and all(len(same(document, [s])) > 1 for s in subset)
                        and len(same(document, subset[:-1])) > 1):
                    chosen = subset
                    break
            if chosen:
                break
        if not chosen:
            continue
        # All facts but the last in the document's words, the last in other words: the literal
        # ones alone fit several documents, so full text alone cannot single out the answer.
        facts = [table[attribute][document["facts"][attribute]][0] for attribute in chosen[:-1]]
        facts.append(table[chosen[-1]][document["facts"][chosen[-1]]][1])
        noun = NOUNS[document["kind"]][0]
        question = rng.choice([f"Which {noun} has these facts: {'; '.join(facts)}?",
                               f"Name the {noun}: {', '.join(facts)}.",
                               f"{noun.capitalize()} facts: {' / '.join(facts)}"])
        questions.append({"question": question, "answer_path": document["path"], "kind": "multi_fact"})
        used.add(index)
    return questions


def render(documents, questions):
    corpus = "".join(json.dumps({"path": d["path"], "text": d["text"]}, ensure_ascii=False) + "\n" for d in documents)
    asked = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
    return corpus, asked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=HERE, help="directory for corpus.jsonl and questions.jsonl (default: here)")
    parser.add_argument("--check", action="store_true", help="fail if the files in --out differ from a fresh run")
    parser.add_argument("--stats", action="store_true", help="print corpus statistics")
    options = parser.parse_args()
    documents, questions = build()
    corpus, asked = render(documents, questions)
    paths = [d["path"] for d in documents]
    if len(set(paths)) != len(paths):
        sys.exit("make_corpus: two documents got the same path")
    if options.stats or not options.check:
        counts = [len(words(d["text"])) for d in documents]
        kinds = {}
        for q in questions:
            kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
        print(f"{len(documents)} documents, {min(counts)}-{max(counts)} words (mean {sum(counts) / len(counts):.0f}), "
              f"{max(len(d['text']) for d in documents)} characters at most; {len(questions)} questions {kinds}; "
              f"{len(corpus.encode()) + len(asked.encode())} bytes")
    targets = {"corpus.jsonl": corpus, "questions.jsonl": asked}
    if options.check:
        for name, text in targets.items():
            try:
                with open(os.path.join(options.out, name), encoding="utf-8") as handle:
                    if handle.read() != text:
                        sys.exit(f"make_corpus: {name} differs from the generator's output; rerun it")
            except FileNotFoundError:
                sys.exit(f"make_corpus: {name} is missing in {options.out}")
        print("make_corpus: committed files match the generator")
        return
    for name, text in targets.items():
        with open(os.path.join(options.out, name), "w", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
