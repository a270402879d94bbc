using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class RemovedVersionsAndJobSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "removed_at",
                table: "versions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "build_settings",
                table: "jobs",
                type: "jsonb",
                nullable: true);

            // Jobs that ran before jobs kept their settings: the version's are the best record there is.
            migrationBuilder.Sql("""
                UPDATE jobs j SET build_settings = v.build_settings
                FROM versions v
                WHERE v.id = j.version_id AND j.kind IN ('binary', 'verify') AND j.state <> 'queued' AND v.build_settings IS NOT NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "removed_at",
                table: "versions");

            migrationBuilder.DropColumn(
                name: "build_settings",
                table: "jobs");
        }
    }
}
