using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobLogSize : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "log_size",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // Logs stored before: their size, so that a job still running goes on from where it is.
            migrationBuilder.Sql("""
                UPDATE jobs SET log_size = least(stored.size, 1048576)
                FROM (SELECT job_id, sum(length(text)) AS size FROM job_logs GROUP BY job_id) stored
                WHERE jobs.id = stored.job_id
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "log_size",
                table: "jobs");
        }
    }
}
