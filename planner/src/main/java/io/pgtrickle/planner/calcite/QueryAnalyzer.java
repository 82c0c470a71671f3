package io.pgtrickle.planner.calcite;

import io.pgtrickle.planner.catalog.PgCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.apache.calcite.tools.RelBuilder;

/**
 * Calcite set up as CALCITE_NOTES.md found to work on PostgreSQL queries: the Babel parser with
 * PostgreSQL's identifier rules, strict GROUP BY, the standard + PostgreSQL function library, a
 * catalog from {@link PgCatalog}, and sub-queries decorrelated. Built by hand (not through
 * {@code Frameworks}), which cannot take a custom conformance. One analyzer per query: cheap.
 */
public final class QueryAnalyzer {

    /**
     * A query Calcite understood: the parse tree as the user wrote it, the validated tree (identifiers
     * qualified, {@code *} expanded to the columns it stands for, at the star's position) and the relational plan.
     */
    public record Analyzed(String sql, SqlNode parsed, SqlNode validated, RelNode plan) {
    }

    /** A query Calcite does not understand; the message says what, for the user. */
    public static final class NotAnalyzable extends Exception {
        private static final long serialVersionUID = 1L;

        NotAnalyzable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final SqlParser.Config PARSER = SqlParser.config()
            .withParserFactory(SqlBabelParserImpl.FACTORY)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withUnquotedCasing(Casing.TO_LOWER)
            .withQuotedCasing(Casing.UNCHANGED)
            .withCaseSensitive(true)
            .withConformance(PgConformance.INSTANCE);

    private static final SqlOperatorTable OPERATORS = SqlLibraryOperatorTableFactory.INSTANCE
            .getOperatorTable(SqlLibrary.STANDARD, SqlLibrary.POSTGRESQL);

    /** PostgreSQL's numeric holds up to 1000 digits. */
    private static final RelDataTypeSystemImpl TYPE_SYSTEM = new RelDataTypeSystemImpl() {
        @Override
        public int getMaxPrecision(SqlTypeName typeName) {
            return typeName == SqlTypeName.DECIMAL ? 1000 : super.getMaxPrecision(typeName);
        }

        @Override
        public int getMaxScale(SqlTypeName typeName) {
            return typeName == SqlTypeName.DECIMAL ? 1000 : super.getMaxScale(typeName);
        }
    };

    private final PgCatalog catalog;

    public QueryAnalyzer(PgCatalog catalog) {
        this.catalog = catalog;
    }

    /** The catalog the analyzer resolves names in. */
    public PgCatalog catalog() {
        return catalog;
    }

    public Analyzed analyze(String sql) throws NotAnalyzable {
        SqlNode parsed = parse(sql); // kept as written: its positions cut out the user's own expressions
        JavaTypeFactoryImpl types = new JavaTypeFactoryImpl(TYPE_SYSTEM);
        Properties props = new Properties();
        props.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "true");
        CalciteConnectionConfig config = new CalciteConnectionConfigImpl(props);
        List<List<String>> paths = new ArrayList<>();
        for (String schema : catalog.searchPath()) {
            paths.add(List.of(schema));
        }
        paths.add(List.of());
        CalciteCatalogReader reader = new CalciteCatalogReader(CatalogSchema.root(catalog),
                SqlNameMatchers.withCaseSensitive(true), paths, types, config) {
        };
        SqlValidator validator = SqlValidatorUtil.newValidator(OPERATORS, reader, types,
                SqlValidator.Config.DEFAULT.withConformance(PgConformance.INSTANCE).withIdentifierExpansion(true)
                        .withLenientOperatorLookup(true));
        SqlNode validated;
        try {
            validated = validator.validate(parse(sql));
        } catch (RuntimeException e) {
            throw new NotAnalyzable("Calcite cannot validate the query: " + firstLine(e), e);
        }
        HepPlanner hep = new HepPlanner(new HepProgramBuilder()
                .addRuleInstance(CoreRules.FILTER_SUB_QUERY_TO_CORRELATE)
                .addRuleInstance(CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE)
                .addRuleInstance(CoreRules.JOIN_SUB_QUERY_TO_CORRELATE)
                .build());
        RelOptCluster cluster = RelOptCluster.create(hep, new RexBuilder(types));
        SqlToRelConverter converter = new SqlToRelConverter((rowType, queryString, schemaPath, viewPath) -> null,
                validator, reader, cluster, StandardConvertletTable.INSTANCE,
                SqlToRelConverter.config().withTrimUnusedFields(false).withExpand(false));
        try {
            RelNode rel = converter.convertQuery(validated, false, true).rel;
            hep.setRoot(rel);
            rel = hep.findBestExp();
            RelBuilder builder = RelFactories.LOGICAL_BUILDER.create(cluster, reader);
            return new Analyzed(sql, parsed, validated, RelDecorrelator.decorrelateQuery(rel, builder));
        } catch (RuntimeException e) {
            throw new NotAnalyzable("Calcite cannot plan the query: " + firstLine(e), e);
        }
    }

    private static SqlNode parse(String sql) throws NotAnalyzable {
        try {
            return SqlParser.create(sql, PARSER).parseQuery();
        } catch (SqlParseException e) {
            throw new NotAnalyzable("Calcite cannot parse the query: " + firstLine(e), e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
