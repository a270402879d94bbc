using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClaimInQueueOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_claim",
                table: "jobs");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_claim",
                table: "jobs",
                columns: new[] { "priority", "created_at", "id" },
                descending: new[] { true, false, false },
                filter: "state = 'queued'");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_target",
                table: "jobs",
                column: "target");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_claim",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "ix_jobs_target",
                table: "jobs");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_claim",
                table: "jobs",
                columns: new[] { "target", "priority", "created_at" },
                descending: new[] { false, true, false },
                filter: "state = 'queued'");
        }
    }
}
