import { MyReportsPage } from "./ReportsListPage";

export default MyReportsPage;
