using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobTraceContextAndVocabulary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "jobs",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs",
                sql: "kind IN ('metadata', 'binary')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_outcome",
                table: "jobs",
                sql: "outcome IN ('succeeded', 'build_failed', 'no_binaries', 'out_of_memory', 'disk_limit', 'timed_out', 'no_output', 'rejected', 'infrastructure_error')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_state",
                table: "jobs",
                sql: "state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_outcome",
                table: "jobs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_state",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "jobs");
        }
    }
}
