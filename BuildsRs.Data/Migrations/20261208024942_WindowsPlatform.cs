using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class WindowsPlatform : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "dlls",
                table: "artifacts",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subsystem",
                table: "artifacts",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dlls",
                table: "artifacts");

            migrationBuilder.DropColumn(
                name: "subsystem",
                table: "artifacts");
        }
    }
}
