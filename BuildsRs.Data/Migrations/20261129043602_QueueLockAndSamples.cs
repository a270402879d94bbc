using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class QueueLockAndSamples : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "queue_lock",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    locked = table.Column<bool>(type: "boolean", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_queue_lock", x => x.id);
                    table.CheckConstraint("ck_queue_lock_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "queue_samples",
                columns: table => new
                {
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    queued = table.Column<long>(type: "bigint", nullable: false),
                    running = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_queue_samples", x => x.at);
                });

            migrationBuilder.InsertData(
                table: "queue_lock",
                columns: new[] { "id", "changed_at", "locked", "reason" },
                values: new object[] { 1, null, false, null });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "queue_lock");

            migrationBuilder.DropTable(
                name: "queue_samples");
        }
    }
}
