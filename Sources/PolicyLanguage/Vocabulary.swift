/// The closed word lists of the language: hypervisors, node functions, link
/// protection suites and confidentiality levels.
struct Vocabulary {
    let words: [String]
    /// How one word is called in messages.
    let noun: String
    let error: SyntaxError

    static let hypervisors = Vocabulary(words: ["xen", "kvm"], noun: "hypervisor", error: .unknownHypervisor)
    static let functions = Vocabulary(words: ["computing", "storage", "network"], noun: "function", error: .unknownFunction)
    static let protections = Vocabulary(
        words: ["aes-128-gcm", "aes-256-gcm", "chacha20-poly1305", "none"], noun: "protection suite", error: .unknownProtection)
    static let levels = Vocabulary(words: ["low", "medium", "high"], noun: "confidentiality level", error: .unknownLevel)

    init(words: [String], noun: String, error: SyntaxError) {
        self.words = words
        self.noun = noun
        self.error = error
    }

    init?(_ keyword: PropertyKeyword) {
        switch keyword {
        case .hypervisor: self = .hypervisors
        case .function: self = .functions
        case .protect: self = .protections
        case .confidentiality: self = .levels
        default: return nil
        }
    }
}
