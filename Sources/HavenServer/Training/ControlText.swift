/// Neutral text a training job measures perplexity on besides the person's held-out text: if
/// an adapter makes the model much worse at ordinary prose, it has damaged the model, however
/// well it fits the person's own writing. Written for Haven (plain, general-knowledge prose on
/// everyday subjects), so it is free to ship and the same on every server.
enum ControlText {
    static let paragraphs: [String] = [
        "Water boils at one hundred degrees Celsius at sea level. At higher altitudes the air pressure is lower, so water boils at a lower temperature, and food takes longer to cook.",
        "A library lends books to the people of a town. Most libraries also offer newspapers, quiet rooms for reading and computers that anyone may use for an hour at a time.",
        "The heart is a muscle that pumps blood through the body. Blood carries oxygen from the lungs to every organ and brings carbon dioxide back to be breathed out.",
        "Bread is made from flour, water, salt and yeast. The yeast feeds on the sugars in the flour and releases gas, which makes the dough rise before it is baked.",
        "Rivers begin in hills and mountains, where rain and melting snow gather into streams. The streams join as they flow downhill, and the river grows until it reaches a lake or the sea.",
        "A bicycle has two wheels, a frame, pedals and a chain. When the rider pushes the pedals, the chain turns the back wheel and the bicycle moves forward.",
        "The moon goes around the earth about once a month. As it moves, the part of it lit by the sun changes, which is why we see it as a thin crescent, a half circle or a full disc.",
        "Trees take in carbon dioxide and release oxygen. Their roots hold the soil in place, and their leaves give shade in summer and fall to the ground in autumn.",
        "Most people sleep for seven to nine hours a night. During sleep the body repairs itself and the brain sorts the memories of the day.",
        "A train timetable lists when each train leaves and arrives. Passengers check it to plan their journeys, and stations show any delays on boards above the platforms.",
        "Tomatoes grow best in warm, sunny places. Gardeners water them often and tie the plants to sticks so that the heavy fruit does not pull the stems to the ground.",
        "The post office sorts letters by their address. Each letter travels from the sender's town to a sorting centre, and from there to the town where it will be delivered.",
        "Snow forms when water vapour in cold clouds freezes into ice crystals. The crystals stick together as they fall, and each flake has its own shape.",
        "A map shows a place from above, smaller than it really is. A scale tells how far a centimetre on the map is on the ground, and a compass rose shows which way is north.",
        "Many birds fly south in autumn to spend the winter where it is warmer and food is easier to find. In spring they return to build their nests and raise their young.",
        "Soap cleans because one end of each of its molecules holds on to water and the other end holds on to oil and dirt, so rinsing carries the dirt away.",
    ]

    /// The paragraphs as one text.
    static var text: String { paragraphs.joined(separator: "\n\n") }
}
