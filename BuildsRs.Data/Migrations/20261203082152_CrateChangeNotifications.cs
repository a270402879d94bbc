using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class CrateChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Statement-level triggers with transition tables: one notification per statement, however many rows
            // it changed, and a bulk import names no crate at all beyond a few hundred rows.
            migrationBuilder.Sql("""
                CREATE FUNCTION buildsrs_notify_crates(names text[]) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE payload text := array_to_string(names, ' ');
                BEGIN
                    IF payload IS NULL OR payload = '' THEN RETURN; END IF;
                    PERFORM pg_notify('buildsrs_crate_changes', CASE WHEN length(payload) > 7000 THEN '*' ELSE payload END);
                END $$;

                CREATE FUNCTION buildsrs_notify_crate_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT count(*) FROM (SELECT FROM changed LIMIT 501) s) > 500 THEN
                        PERFORM pg_notify('buildsrs_crate_changes', '*');
                    ELSIF TG_TABLE_NAME = 'crates' THEN
                        PERFORM buildsrs_notify_crates(ARRAY(SELECT DISTINCT normalized_name FROM changed));
                    ELSIF TG_TABLE_NAME = 'versions' THEN
                        PERFORM buildsrs_notify_crates(ARRAY(
                            SELECT DISTINCT c.normalized_name FROM changed v JOIN crates c ON c.id = v.crate_id));
                    ELSE
                        PERFORM buildsrs_notify_crates(ARRAY(
                            SELECT DISTINCT c.normalized_name FROM changed j JOIN versions v ON v.id = j.version_id JOIN crates c ON c.id = v.crate_id));
                    END IF;
                    RETURN NULL;
                END $$;

                -- A lease extension changes nothing anyone reads: only jobs whose state changed count.
                CREATE FUNCTION buildsrs_notify_jobs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM buildsrs_notify_crates(ARRAY(
                        SELECT DISTINCT c.normalized_name
                        FROM changed j JOIN before b ON b.id = j.id AND b.state IS DISTINCT FROM j.state
                        JOIN versions v ON v.id = j.version_id JOIN crates c ON c.id = v.crate_id));
                    RETURN NULL;
                END $$;

                CREATE TRIGGER crates_deleted AFTER DELETE ON crates REFERENCING OLD TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_crate_rows();
                CREATE TRIGGER versions_added AFTER INSERT ON versions REFERENCING NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_crate_rows();
                CREATE TRIGGER versions_changed AFTER UPDATE ON versions REFERENCING NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_crate_rows();
                CREATE TRIGGER versions_deleted AFTER DELETE ON versions REFERENCING OLD TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_crate_rows();
                CREATE TRIGGER jobs_added AFTER INSERT ON jobs REFERENCING NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_crate_rows();
                CREATE TRIGGER jobs_changed AFTER UPDATE ON jobs REFERENCING OLD TABLE AS before NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION buildsrs_notify_jobs_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER jobs_changed ON jobs;
                DROP TRIGGER jobs_added ON jobs;
                DROP TRIGGER versions_deleted ON versions;
                DROP TRIGGER versions_changed ON versions;
                DROP TRIGGER versions_added ON versions;
                DROP TRIGGER crates_deleted ON crates;
                DROP FUNCTION buildsrs_notify_jobs_changed();
                DROP FUNCTION buildsrs_notify_crate_rows();
                DROP FUNCTION buildsrs_notify_crates(text[]);
                """);
        }
    }
}
