using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddVersionBuildSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "build_settings",
                table: "versions",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "build_settings",
                table: "versions");
        }
    }
}
