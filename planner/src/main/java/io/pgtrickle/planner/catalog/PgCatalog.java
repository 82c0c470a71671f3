package io.pgtrickle.planner.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of a database's catalog a defining query may read: relations by schema, and the search path
 * that resolves unqualified names. A value: the engine builds it from PostgreSQL, tests by hand.
 */
public final class PgCatalog {
    private final Map<String, Map<String, PgRelation>> schemas = new LinkedHashMap<>();
    private final List<String> searchPath;

    public PgCatalog(List<PgRelation> relations, List<String> searchPath) {
        for (PgRelation r : relations) {
            schemas.computeIfAbsent(r.schema(), s -> new LinkedHashMap<>()).put(r.name(), r);
        }
        this.searchPath = List.copyOf(searchPath);
    }

    /** The schemas that hold relations, with their relations by name. */
    public Map<String, Map<String, PgRelation>> schemas() {
        return schemas;
    }

    /** Schemas searched for unqualified names, in order. */
    public List<String> searchPath() {
        return searchPath;
    }

    public Optional<PgRelation> find(String schema, String name) {
        return Optional.ofNullable(schemas.getOrDefault(schema, Map.of()).get(name));
    }

    /** The relation a name of one part ({@code name}) or two ({@code schema.name}) means, as PostgreSQL resolves it. */
    public Optional<PgRelation> resolve(List<String> names) {
        if (names.size() == 2) {
            return find(names.get(0), names.get(1));
        }
        if (names.size() != 1) {
            return Optional.empty();
        }
        for (String schema : searchPath) {
            Optional<PgRelation> r = find(schema, names.get(0));
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    /** Whether any relation is a view. */
    public boolean hasViews() {
        return schemas.values().stream().anyMatch(m -> m.values().stream().anyMatch(r -> r.view() != null));
    }
}
