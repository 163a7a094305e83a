import Diagnostics

/// Turns the AST into `FormatItem`s: the canonical spelling of every construct.
/// Literals (numbers, strings, dates, addresses) are printed as written.
struct FormatItemBuilder {
    let source: SourceFile

    func raw(_ range: SourceRange) -> String { source.text(range) }

    func items(for policy: PolicyFile) -> [FormatItem] {
        policy.declarations.map(item)
    }

    func item(_ declaration: Declaration) -> FormatItem {
        switch declaration {
        case .include(let decl):
            return .line("include \(raw(decl.path.range))", range: decl.range)
        case .registrar(let decl):
            var text = "registrar \(decl.name.text)"
            if let key = decl.key { text += " " + self.key(key) }
            return .line(text, range: decl.range)
        case .community(let decl):
            return .line("community \(decl.name.text)", range: decl.range)
        case .user(let decl):
            var text = "user \(decl.name.text)"
            if let key = decl.key { text += " " + self.key(key) }
            if !decl.memberOf.isEmpty { text += " member-of " + names(decl.memberOf) }
            if let clearance = decl.clearance { text += " clearance \(clearance.text)" }
            return .line(text, range: decl.range)
        case .host(let decl):
            var header = "host \(decl.name.base.text)"
            if let indices = decl.name.indices { header += index(indices) }
            return .block(header: header, children: decl.properties.map(item), body: decl.body, range: decl.range)
        case .vpxi(let decl):
            return .block(header: "vpxi \(decl.name.text)", children: decl.members.map(item), body: decl.body, range: decl.range)
        }
    }

    func key(_ key: KeyReference) -> String {
        var text = "key"
        if key.format != .detect { text += " \(key.format.rawValue)" }
        if key.isInline { text += " inline" }
        return text + " " + raw(key.text.range)
    }

    func names<C: Collection>(_ names: C) -> String where C.Element == Identifier {
        names.map(\.text).joined(separator: ", ")
    }

    func index(_ indices: IndexRange) -> String {
        indices.isRange
            ? "[\(indices.suffix(indices.lower))..\(indices.suffix(indices.upper))]"
            : "[\(indices.suffix(indices.lower))]"
    }

    func endpoint(_ endpoint: Endpoint) -> String {
        endpoint.name.text + (endpoint.index.map(index) ?? "")
    }

    func quantity(_ quantity: Quantity) -> String {
        let number = raw(quantity.numberRange)
        guard let unit = quantity.unit else { return number }
        return unit.isAttached ? number + unit.spelling : number + " " + unit.spelling
    }

    func window(_ window: Window) -> String {
        "\(raw(window.start.range)) .. \(raw(window.end.range))"
    }

    func item(_ property: Property) -> FormatItem {
        .line(property.keyword.spelling + " " + value(property.value), range: property.range)
    }

    func value(_ value: PropertyValue) -> String {
        switch value {
        case .quantity(let quantity): return self.quantity(quantity)
        case .name(let name): return name.text
        case .names(let names): return self.names(names)
        case .text(let text): return raw(text.range)
        case .locators(let locators): return locators.map { raw($0.range) }.joined(separator: ", ")
        case .bound(let bound): return "\(bound.comparison.rawValue) \(quantity(bound.quantity))"
        case .window(let window): return self.window(window)
        case .lifetime(let lifetime):
            var text = "valid \(quantity(lifetime.valid))"
            if let renew = lifetime.renewEvery { text += " renew every \(quantity(renew))" }
            return text
        case .requirement(let requirement):
            return "\(requirement.kind.rawValue) \(names(requirement.values))"
        case .registration(let registration):
            var text = registration.registrar.text
            if let from = registration.from { text += " from \(raw(from.range))" }
            if let until = registration.until { text += " until \(raw(until.range))" }
            return text
        }
    }

    func right(_ right: Right) -> String {
        guard let arguments = right.arguments else { return right.name.text }
        let inner = arguments.map { argument -> String in
            switch argument {
            case .name(let name): return name.text
            case .text(let text): return raw(text.range)
            }
        }
        return "\(right.name.text)(\(inner.joined(separator: ", ")))"
    }

    func item(_ member: VPXIMember) -> FormatItem {
        switch member {
        case .property(let property):
            return item(property)
        case .node(let node):
            return withBody("node \(node.name.text)", node.properties, node.body, node.range)
        case .cluster(let cluster):
            return withBody("cluster \(cluster.name.text)[\(cluster.size)]", cluster.properties, cluster.body, cluster.range)
        case .link(let link):
            let header = "link \(endpoint(link.from)) \(link.direction.rawValue) \(endpoint(link.to))"
            return withBody(header, link.properties, link.body, link.range)
        case .grant(let grant):
            var text = "grant \(grant.grantee.text)"
            if let via = grant.via { text += " via \(via.text)" }
            text += " " + grant.rights.map(right).joined(separator: ", ") + " on "
            switch grant.target {
            case .all: text += "all"
            case .nodes(let endpoints): text += endpoints.map(endpoint).joined(separator: ", ")
            }
            if let during = grant.during { text += " during \(window(during))" }
            return .line(text, range: grant.range)
        case .test(let test):
            return .block(header: "test", children: test.expectations.map(item), body: test.body, range: test.range)
        }
    }

    func item(_ expectation: Expectation) -> FormatItem {
        var text = "expect \(expectation.user.text) \(expectation.allowed ? "can" : "cannot") \(right(expectation.right))"
        text += " on \(endpoint(expectation.target))"
        if let at = expectation.at { text += " at \(raw(at.range))" }
        return .line(text, range: expectation.range)
    }

    private func withBody(_ header: String, _ properties: SlabList<Property>, _ body: SourceRange?, _ range: SourceRange) -> FormatItem {
        guard let body else { return .line(header, range: range) }
        return .block(header: header, children: properties.map(item), body: body, range: range)
    }
}
