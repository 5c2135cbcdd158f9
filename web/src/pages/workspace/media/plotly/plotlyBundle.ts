// The lazy chunk: plotly.js with the stylesheet standing in for the <style> it would add.
import "./plotly.css";
import Plotly from "plotly.js-strict-dist-min";

export default Plotly;
